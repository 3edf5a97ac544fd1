import { type ChildProcess, fork } from 'node:child_process';
import type { MockServerOptions } from '@insight/mock-server';

/** An emulator running in a child process; `stop()` disconnects it, and it closes and exits. */
export interface EmulatorProcess {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): void;
}

/**
 * Starts the emulator in its own process (see `emulator-process.ts`), so that a benchmark charges none of the
 * server's CPU time to the client it measures.
 */
export async function startEmulatorProcess(options: MockServerOptions): Promise<EmulatorProcess> {
  const child = fork(new URL('./emulator-process.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { port, child, stop: () => child.disconnect() };
}
