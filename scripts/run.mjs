#!/usr/bin/env node
// The two entry points of the README (`npm run demo`, `npm test`) on a machine that has only Node 20 and npm:
// bring pnpm, install the workspace, build what the job needs, then run it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const [job, ...args] = process.argv.slice(2);

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
// better-sqlite3 compiles from source where no prebuilt binary can be fetched; node-gyp then needs Node's headers,
// which distribution packages install under the Node prefix. Machines that get a prebuilt binary ignore this.
if (!env.npm_config_nodedir) {
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
}

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, env, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, cmdArgs) {
  const status = run(cmd, cmdArgs);
  if (status !== 0) {
    console.error(`\n${[cmd, ...cmdArgs].join(' ')} failed with exit code ${status}`);
    process.exit(status);
  }
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

const [pnpm, ...pnpmPrefix] = pnpmCommand();
const p = (...a) => [...pnpmPrefix, ...a];

must(pnpm, p('install', '--frozen-lockfile', '--reporter=append-only'));

switch (job) {
  case 'demo':
    must(pnpm, p('exec', 'turbo', 'run', 'build', '--filter=@insight/cli...', '--output-logs=errors-only'));
    process.exit(run(process.execPath, [join(ROOT, 'apps/cli/dist/bin.js'), 'demo', ...args]));
    break;
  case 'test':
    must(pnpm, p('exec', 'turbo', 'run', 'build', '--output-logs=errors-only'));
    process.exit(run(pnpm, p('exec', 'vitest', 'run', ...args)));
    break;
  default:
    console.error('usage: node scripts/run.mjs demo|test [args…]');
    process.exit(2);
}
