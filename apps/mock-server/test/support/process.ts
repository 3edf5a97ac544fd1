import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InsightModuleOptions } from '../../src/insight/index.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SERVE = fileURLToPath(new URL('../fixtures/serve.ts', import.meta.url));
/** Startup compiles the sources with tsx in a fresh process: slow on a busy machine. */
const START_TIMEOUT_MS = 30_000;

/** An emulator running in its own process, for tests that kill it. */
export interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL, no cleanup; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns and tracks emulator processes and their data directories; `cleanup()` (for `afterAll`) kills the survivors and
 * removes the directories.
 */
export function createProcessPool() {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  return {
    /** A fresh temporary data directory, removed by `cleanup()`. */
    dataDir(prefix = 'insight-crash-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    /** Spawns the emulator on `dataDir` with Content Insight `insight` options, without waiting for it to listen. */
    spawn(dataDir: string, insight: InsightModuleOptions = {}): { child: ChildProcess; kill(): Promise<void> } {
      const child = spawn(process.execPath, ['--import', TSX, SERVE, dataDir, JSON.stringify(insight)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        child,
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      };
    },
    /** Starts the emulator on `dataDir` with Content Insight `insight` options; resolves once it listens. */
    start(dataDir: string, insight: InsightModuleOptions = {}): Promise<EmulatorProcess> {
      const { child, kill } = this.spawn(dataDir, insight);
      return new Promise((resolve, reject) => {
        let output = '';
        const timer = setTimeout(
          () => reject(new Error(`emulator did not start in 30 s: ${output}`)),
          START_TIMEOUT_MS,
        );
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const ready = /READY (\S+)/.exec(output);
          if (ready === null) return;
          clearTimeout(timer);
          resolve({ child, url: ready[1] as string, kill });
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`emulator exited with ${code}: ${output}`));
        });
      });
    },
    cleanup(): void {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
