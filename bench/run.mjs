#!/usr/bin/env node
// Runs every benchmark (or the ones named: `node bench/run.mjs rules byteair`) one after another, so that they do not
// compete for the machine's cores. Each prints its figures as ratios against a peer measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.ts')))
  .map((d) => d.name);
// Benchmark names, then options passed to each (`--posts=100000`, or `--posts 100000`).
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const wanted = firstOption === -1 ? args : args.slice(0, firstOption);
const flags = firstOption === -1 ? [] : args.slice(firstOption);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n### bench/${name}\n`);
  // tsx as a loader of this Node: no package manager needs to be on the PATH.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(name, 'run.ts'), ...flags], {
    cwd: here,
    stdio: 'inherit',
  });
  if (r.error) console.error(`bench/${name}: ${r.error.message}`);
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
