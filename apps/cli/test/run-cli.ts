import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary the tests run, as users do. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** What one run of the binary did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Longest a single CLI run may take in a test. */
const RUN_TIMEOUT_MS = 55_000;

/**
 * Runs `node dist/bin.js …args` with a clean environment plus `env`, feeding `stdin` when given. The test pipeline
 * builds `dist/` first (`turbo run build`); a missing build is reported as such rather than as a test failure.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<CliRun> {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build the CLI first (pnpm turbo run build --filter=@insight/cli...)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
