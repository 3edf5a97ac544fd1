import { CallbackRequest, CallbackResponse, encodeMessage } from '@insight/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { callByteAir } from './support/byteair.js';
import { createProcessPool } from './support/process.js';

const pool = createProcessPool();
const dataDir = pool.dataDir();
const start = () => pool.start(dataDir);
afterAll(() => pool.cleanup());

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
          void first.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    await first.kill();
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
      await second.kill();
    }
  }, 60_000);
});
