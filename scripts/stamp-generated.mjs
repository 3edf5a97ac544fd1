#!/usr/bin/env node
// Marks every generated file with a `@generated` header (the convention tools use to skip review and lint) and
// makes the output independent of the local protoc version, so that CI can regenerate and diff byte for byte.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = '// @generated from the .proto files in proto/ by buf + ts-proto. Do not edit: run `pnpm generate`.\n';

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts')) {
      const text = readFileSync(path, 'utf8').replace(/^\/\/ {3}protoc {14}.*\n/m, '');
      writeFileSync(path, text.startsWith(HEADER) ? text : HEADER + text);
    }
  }
}

walk(process.argv[2] ?? 'src/gen');
