import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, createByteAirClient, type InsightError, UserAbortError } from '@insight/client';
import type { CallbackRequest } from '@insight/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../src/index.js';
import { AIR_TENANT, addFault, byteAirState, startByteAir } from './support/byteair.js';

const CALLBACKS = 5_000;

let server: MockServer;
beforeAll(async () => {
  server = await startByteAir({ byteair: { syntheticPoolSize: 10 } });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** A client of one application of the test tenant, retrying fast. */
function clientOf(applicationId: string) {
  return createByteAirClient({
    tenantId: AIR_TENANT.tenantId,
    applicationId,
    hosts: [`127.0.0.1:${server.port}`],
    scheme: 'http',
    auth: { token: AIR_TENANT.token },
    timeout: 5_000,
    maxRetries: 8,
    backoff: { baseMs: 1, capMs: 20 },
  });
}

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
      const client = clientOf(applicationId);
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

  const REPORTED = 2_000;

  it(`reports every one of ${REPORTED} callbacks as delivered or failed, once, before close() resolves`, {
    timeout: 60_000,
  }, async () => {
    // shop-c refuses about one callback in twenty for good (body code 400, before applying it); shop-d loses about one
    // answer in five after applying the callback, which the client's retries recover.
    await addFault(server, { route: 'POST /predict/api/shop-c/callback', probability: 0.05, status: 200, code: 400 });
    await addFault(server, {
      route: 'POST /predict/api/shop-d/callback',
      probability: 0.2,
      dropConnection: true,
      after: true,
    });
    const expected = new Map<string, string>();
    const queues = ['shop-c', 'shop-d'].map((applicationId) => {
      const client = clientOf(applicationId);
      const reports: { error: InsightError; request: CallbackRequest; requestId: string | undefined }[] = [];
      const handling = { running: 0 };
      const queue = client.createCallbackQueue({
        capacity: 500,
        concurrency: 16,
        // A handler that takes a while, like a write to a dead-letter store.
        onError: async (error, request, options) => {
          handling.running++;
          reports.push({ error, request, requestId: options.requestId });
          await sleep(50);
          handling.running--;
        },
      });
      return { applicationId, client, queue, reports, handling };
    });
    for (let i = 0; i < REPORTED; i++) {
      const { applicationId, queue } = queues[i % 2]!;
      const uid = `${applicationId}-user-${i}`;
      expected.set(uid, `item-${i % 10}`);
      await queue.enqueue({ uid, scene: 'home', items: [{ id: `item-${i % 10}`, pos: '1' }] });
    }
    // The last callback of shop-c is cancelled by its caller once accepted: reported when its turn comes, its handler
    // still runs while the callbacks sent before it settle.
    const [last, lastItem] = ['shop-c-cancelled', 'item-0'];
    expected.set(last, lastItem);
    const cancel = new AbortController();
    await queues[0]!.queue.enqueue(
      { uid: last, scene: 'home', items: [{ id: lastItem, pos: '1' }] },
      { signal: cancel.signal },
    );
    cancel.abort();
    // Each queue's handlers have all finished by the time its close() resolves.
    const runningAtClose = await Promise.all(
      queues.map(async ({ queue, handling }) => {
        await queue.close();
        return handling.running;
      }),
    );
    expect(runningAtClose).toEqual([0, 0]);

    const [permanent, recovered] = queues;
    for (const { queue, reports } of queues) {
      expect(queue.stats).toMatchObject({ failed: reports.length, queued: 0, inFlight: 0 });
    }
    expect(recovered!.reports).toEqual([]);
    const failed = permanent!.reports;
    // About one in twenty, and the cancelled one.
    expect(failed.length).toBeGreaterThan((REPORTED / 2) * 0.02);
    expect(failed.length).toBeLessThan((REPORTED / 2) * 0.1);
    for (const { error, request, requestId } of failed) {
      expect(request.items.map((item) => item.id)).toEqual([expected.get(request.uid)]);
      expect(error.requestId).toBe(requestId);
      if (request.uid === last) {
        expect(error).toBeInstanceOf(UserAbortError);
      } else {
        expect(error).toBeInstanceOf(ApiError);
        expect(error).toMatchObject({ code: 400, errorClass: 'permanent', attempts: 1 });
      }
    }
    // None is reported twice, and every callback is either delivered or reported.
    const failedUids = failed.map(({ request }) => request.uid);
    expect(failedUids).toContain(last);
    expect(new Set(failedUids).size).toBe(failedUids.length);
    const sent = queues.reduce((total, { queue }) => total + queue.stats.sent, 0);
    expect(sent + failedUids.length).toBe(expected.size);

    // The emulator holds exactly the delivered callbacks: each once, and none of the refused ones.
    const { totals, shown } = await byteAirState<{
      totals: { callbacks: number };
      shown: Record<string, Record<string, string[]>>;
    }>(server);
    expect(totals.callbacks).toBe(sent);
    const applied = [...Object.keys(shown['shop-c'] ?? {}), ...Object.keys(shown['shop-d'] ?? {})];
    expect([...applied, ...failedUids].sort()).toEqual([...expected.keys()].sort());
    await Promise.all(queues.map(({ client }) => client.close()));
  });
});

describe('callback queue options against the emulator', () => {
  const callback = (uid: string, spm?: string) => ({
    uid,
    scene: 'home',
    items: [{ id: 'item-1', pos: '1' }],
    ...(spm === undefined ? {} : { context: { spm } }),
  });

  it('refuses an enqueue aborted while it waits for room: never sent, counted or waited for', async () => {
    await addFault(server, { route: 'POST /predict/api/shop-e/callback', latencyMs: 500 });
    const client = clientOf('shop-e');
    const failures: InsightError[] = [];
    const queue = client.createCallbackQueue({ capacity: 1, concurrency: 1, onError: (e) => failures.push(e) });
    await queue.enqueue(callback('first')); // sent at once, answered after the injected latency
    await queue.enqueue(callback('second')); // fills the queue
    const cancel = new AbortController();
    const third = queue.enqueue(callback('third'), { signal: cancel.signal, requestId: 'rid-third' });
    expect(queue.stats).toMatchObject({ queued: 2, inFlight: 1 });
    // Counts the waiting caller: it must stop waiting for it once it leaves.
    const flushed = queue.flush();
    cancel.abort();
    const refused = await third.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserAbortError);
    expect(refused).toMatchObject({ requestId: 'rid-third' });
    expect(queue.stats).toMatchObject({ queued: 1, inFlight: 1 });
    await flushed;
    await queue.close();

    expect(failures).toEqual([]);
    expect(queue.stats).toMatchObject({ queued: 0, inFlight: 0, sent: 2, failed: 0 });
    const stored = await byteAirState<{ shown: Record<string, Record<string, string[]>> }>(server);
    expect(Object.keys(stored.shown['shop-e'] ?? {}).sort()).toEqual(['first', 'second']);
    expect(server.requests.list({ path: '/predict/api/shop-e/callback' })).toHaveLength(2);
    await client.close();
  });

  it("adds the headers given to enqueue to the queue's, a header of the call replacing the queue's", async () => {
    const client = clientOf('shop-f');
    const failures: InsightError[] = [];
    const queue = client.createCallbackQueue({
      callOptions: { headers: { 'Enable-Spm-Route': 'true' } },
      onError: (e) => failures.push(e),
    });
    await queue.enqueue(callback('traced', 'home.feed.1'), { headers: { 'X-Trace': '1' } });
    // The queue's SPM route header still applies, so a callback without context.spm is refused at once.
    const missingSpm = await queue.enqueue(callback('no-spm'), { headers: { 'X-Trace': '2' } }).catch((e) => e);
    expect(missingSpm).toMatchObject({ name: 'RequestValidationError', issues: [{ path: 'context.spm' }] });
    await queue.enqueue(callback('spm-off'), { headers: { 'enable-spm-route': 'false', 'X-Trace': '3' } });
    await queue.close();

    expect(failures).toEqual([]);
    expect(queue.stats).toMatchObject({ sent: 2, failed: 0 });
    const seen = server.requests.list({ path: '/predict/api/shop-f/callback' });
    expect(seen.map((r) => [r.headers['enable-spm-route'], r.headers['x-trace']]).sort()).toEqual([
      ['false', '3'],
      ['true', '1'],
    ]);
    await client.close();
  });
});
