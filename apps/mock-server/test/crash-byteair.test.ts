import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CallbackRequest, CallbackResponse, encodeMessage } from '@insight/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { callByteAir } from './support/byteair.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SERVE = fileURLToPath(new URL('./fixtures/serve.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'insight-crash-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the emulator in its own process on the shared data directory; resolves with its URL once it listens. */
function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', TSX, SERVE, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 30 s: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, url: ready[1] as string });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${output}`));
    });
  });
}

function sendCallback(url: string, requestId: string) {
  const message = CallbackRequest.fromPartial({
    uid: `user-${requestId}`,
    scene: 'home',
    items: [{ id: requestId, pos: '1' }],
  });
  return callByteAir(url, {
    path: '/predict/api/app/callback',
    body: encodeMessage(CallbackRequest, message),
    requestId,
  }).then((response) => CallbackResponse.decode(response.body).code);
}

describe('kill -9 of the emulator', () => {
  it('keeps every acknowledged callback, and a replay of its Request-Id still answers 409', async () => {
    const first = await start();
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    const acknowledged: string[] = [];
    const total = 300;
    let next = 0;
    let killed = false;
    // Eight senders in parallel; the process is killed while requests are still in flight.
    const sender = async () => {
      while (next < total && !killed) {
        const requestId = `crash-${next++}`;
        try {
          if ((await sendCallback(first.url, requestId)) === 0) acknowledged.push(requestId);
        } catch {
          // The connection died with the process: this callback was not acknowledged.
        }
        if (acknowledged.length >= 60 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    await exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const second = await start();
    try {
      const response = await fetch(`${second.url}/_insight/state?module=byteair`);
      const state = (await response.json()) as { modules: { byteair: { callbacks: { requestId: string }[] } } };
      const stored = new Set(state.modules.byteair.callbacks.map((c) => c.requestId));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      for (const requestId of acknowledged.slice(0, 5)) expect(await sendCallback(second.url, requestId)).toBe(409);
      expect(await sendCallback(second.url, 'after-restart')).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }
  }, 60_000);
});
