import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary the tests run, as users do. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What one run of the binary did. */
export interface CliRun {
  /** The exit code; `null` when the process was killed. */
  readonly code: number | null;
  /** The signal that killed the process, e.g. `SIGTERM` after {@link CLI_RUN_TIMEOUT_MS}. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Longest a single CLI run may take before it is killed. It stays below the project's test timeout, so that a hung
 * run fails its test with its output instead of outliving it.
 */
export const CLI_RUN_TIMEOUT_MS = 45_000;

/** Environment of every run: no colour, and nothing inherited but `PATH`, so that the developer's settings do not leak in. */
function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', NO_COLOR: '1' };
}

/**
 * Spawns `node dist/bin.js …args`, killed after {@link CLI_RUN_TIMEOUT_MS}. The test pipeline builds `dist/` first
 * (`turbo run build`); when it is missing this throws an error that says so.
 */
export function spawnCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): ChildProcessWithoutNullStreams {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build the CLI first (pnpm turbo run build --filter=@insight/cli...)`);
  }
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...baseEnv(), ...options.env },
    stdio: 'pipe',
    timeout: CLI_RUN_TIMEOUT_MS,
  });
}

/** Runs `node dist/bin.js …args` with a clean environment plus `env`, feeding `stdin` when given, to its end. */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawnCli(args, options);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
