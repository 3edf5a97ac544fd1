#!/usr/bin/env node
// Checks that the package in the current directory is publishable as its users will install it: packs it the way the
// registry would (workspace ranges rewritten), then runs publint and "are the types wrong" on the tarball.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 'insight-pack-'));
function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    process.exit(r.status ?? 1);
  }
}
try {
  run('pnpm', ['pack', '--pack-destination', out, '--silent']);
  const tarball = join(
    out,
    readdirSync(out).find((f) => f.endsWith('.tgz')),
  );
  run('publint', ['run', tarball, '--strict']);
  // Node 16 resolution is a CommonJS-era mode an ESM-only package does not serve.
  run('attw', [tarball, '--profile', 'esm-only']);
} finally {
  rmSync(out, { recursive: true, force: true });
}
