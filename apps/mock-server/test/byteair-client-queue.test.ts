import { createByteAirClient, type InsightError } from '@insight/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockServer } from '../src/index.js';
import { AIR_TENANT, addFault, byteAirState, startByteAir } from './support/byteair.js';

const CALLBACKS = 5_000;

let server: MockServer;
beforeAll(async () => {
  server = await startByteAir({ byteair: { syntheticPoolSize: 10 } });
});
afterAll(() => server.close());

describe('callback queue against the emulator', () => {
  it(`delivers all ${CALLBACKS} callbacks under 20 % injected failures, each applied once`, {
    timeout: 60_000,
  }, async () => {
    // Callbacks alternate between two applications. On one, failures lose the answer after the callback was applied
    // (the replay must not apply it again); on the other, they refuse it before (the replay must apply it).
    await addFault(server, {
      route: 'POST /predict/api/shop-a/callback',
      probability: 0.2,
      dropConnection: true,
      after: true,
    });
    await addFault(server, { route: 'POST /predict/api/shop-b/callback', probability: 0.2, status: 503 });
    const failures: [InsightError, string][] = [];
    const queues = ['shop-a', 'shop-b'].map((applicationId) => {
      const client = createByteAirClient({
        tenantId: AIR_TENANT.tenantId,
        applicationId,
        hosts: [`127.0.0.1:${server.port}`],
        scheme: 'http',
        auth: { token: AIR_TENANT.token },
        timeout: 5_000,
        maxRetries: 8,
        backoff: { baseMs: 1, capMs: 20 },
      });
      const queue = client.createCallbackQueue({
        capacity: 500,
        concurrency: 16,
        onError: (error, request) => failures.push([error, request.uid]),
      });
      return { client, queue };
    });
    for (let i = 0; i < CALLBACKS; i++) {
      const { queue } = queues[i % 2]!;
      await queue.enqueue({ uid: `user-${i}`, scene: 'home', items: [{ id: `item-${i % 10}`, pos: '1' }] });
    }
    await Promise.all(queues.map(({ queue }) => queue.close()));

    expect(failures.map(([e, uid]) => `${uid}: ${e.message}`)).toEqual([]);
    const stats = queues.map(({ queue }) => queue.stats);
    for (const s of stats) expect(s).toMatchObject({ sent: CALLBACKS / 2, failed: 0, queued: 0, inFlight: 0 });
    // About one callback in five needed at least one retry.
    for (const s of stats) expect(s.retried).toBeGreaterThan((CALLBACKS / 2) * 0.15);
    const [dropped, refused] = server.faults.list().map((rule) => rule.hits);
    expect(dropped).toBeGreaterThan((CALLBACKS / 2) * 0.15);
    expect(refused).toBeGreaterThan((CALLBACKS / 2) * 0.15);

    // Every callback stored exactly once, though many were sent twice.
    const { totals } = await byteAirState<{ totals: { callbacks: number } }>(server);
    expect(totals.callbacks).toBe(CALLBACKS);
    await Promise.all(queues.map(({ client }) => client.close()));
  });
});
