import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError,
  type AttemptInfo,
  type ByteAirAuth,
  type ByteAirCallOptions,
  type ByteAirClient,
  buildCallbackItems,
  createByteAirClient,
  type InsightError,
  isNetError,
  RequestValidationError,
  TimeoutError,
  UserAbortError,
} from '@insight/client';
import { CallbackRequest, CallbackResponse, encodeMessage } from '@insight/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { MockServer } from '../src/index.js';
import {
  AIR_TENANT,
  AKSK_TENANT,
  byteAirState,
  callByteAir,
  addFault as supportAddFault,
  startByteAir,
} from './support/byteair.js';
import { until } from './support/wait.js';

let server: MockServer;
const clients: ByteAirClient[] = [];

beforeAll(async () => {
  server = await startByteAir();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const MODES: [string, string, ByteAirAuth][] = [
  ['air auth', AIR_TENANT.tenantId, { token: AIR_TENANT.token }],
  ['AK/SK', AKSK_TENANT.tenantId, { accessKey: AKSK_TENANT.accessKey, secretKey: AKSK_TENANT.secretKey }],
];

function client(
  tenantId: string,
  auth: ByteAirAuth,
  overrides: Partial<Parameters<typeof createByteAirClient>[0]> = {},
) {
  const c = createByteAirClient({
    tenantId,
    applicationId: 'shop',
    hosts: [`127.0.0.1:${server.port}`],
    scheme: 'http',
    auth,
    backoff: { baseMs: 1, capMs: 10 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

const addFault = (rule: Record<string, unknown>) => supportAddFault(server, rule);

interface ByteAirState {
  totals: { callbacks: number; predicts: number };
  shown: Record<string, Record<string, string[]>>;
  writes: { topic: string; contentDate: string | null; contentEnd: boolean | null; rows: number }[];
  done: { topic: string; body: string | null }[];
}

const state = () => byteAirState<ByteAirState>(server);

describe.each(MODES)('ByteAirClient against the emulator (%s)', (_mode, tenantId, auth) => {
  it('predict → callback → predict leaves the shown items out', async () => {
    const c = client(tenantId, auth);
    const first = await c.predict({ user: { uid: 'u1' }, size: 6 }, { scene: 'home' });
    expect(first.code).toBe(0);
    const ids = first.value!.items.map((item) => item.id);
    expect(ids).toHaveLength(6);

    // Shown: the first four, with a force-inserted item at position 2; filtered: the fifth.
    const shown = [ids[0]!, 'promo-1', ids[1]!, ids[2]!, ids[3]!];
    const items = buildCallbackItems({ shown, inserted: ['promo-1'], filtered: [ids[4]!] });
    const response = await c.callback(
      { uid: 'u1', scene: 'home', items, predictRequestId: first.requestId, context: { spm: 'A$##$B$##$C' } },
      { headers: { 'Enable-Spm-Route': 'true' } },
    );
    expect(response).toMatchObject({ code: 0, success: true });

    const second = await c.predict({ user: { uid: 'u1' }, size: 6 }, { scene: 'home' });
    const again = second.value!.items.map((item) => item.id);
    expect(again).toHaveLength(6);
    for (const id of shown) expect(again).not.toContain(id);
    // The filtered item was not shown, so it may come back; the fifth and sixth keep their ranks first.
    expect(again.slice(0, 2)).toEqual([ids[4], ids[5]]);
    expect((await state()).shown.shop!.u1!.sort()).toEqual([...shown].sort());
  });

  it('writes items that later predictions recommend, and declares the day done', async () => {
    const c = client(tenantId, auth);
    const rows = [{ id: 'w-1' }, { id: 'w-2' }, { id: 'w-3' }];
    const written = await c.writeData(rows, { topic: 'item', date: '2026-11-23', end: true });
    expect(written.status).toMatchObject({ code: 0 });
    await expect(c.done({ topic: 'item', dates: ['2026-11-23'] })).resolves.toMatchObject({ status: { code: 0 } });
    const { writes, done } = await state();
    expect(writes).toEqual([{ ...writes[0], topic: 'item', contentDate: '2026-11-23', contentEnd: true, rows: 3 }]);
    expect(done).toEqual([{ ...done[0], topic: 'item', body: '[{"partition_date":"20261123"}]' }]);
    const predicted = await c.predict({ user: { uid: 'u2' }, size: 10 });
    expect(predicted.value!.items.map((item) => item.id).sort()).toEqual(['w-1', 'w-2', 'w-3']);
  });
});

describe('callback extra, one rule for client and emulator', () => {
  const [, tenantId, auth] = MODES[0]!;

  it('takes any JSON text: a bare "filtered" string leaves its item out of the shown ones', async () => {
    const response = await client(tenantId, auth).callback({
      uid: 'u1',
      scene: 'home',
      items: [
        { id: 'kept', pos: '1', extra: '{"reason":"kept"}' },
        { id: 'forced', pos: '2', extra: '"inserted"' },
        { id: 'dropped', pos: '0', extra: '"filtered"' },
      ],
    });
    expect(response).toMatchObject({ code: 0, success: true });
    expect((await state()).shown.shop!.u1!.sort()).toEqual(['forced', 'kept']);
  });

  it('refuses an extra that is not JSON in the same words on both sides', async () => {
    const bad = { uid: 'u1', scene: 'home', items: [{ id: 'a' }, { id: 'b', extra: '{reason:kept}' }] };
    const rule = 'must be JSON text, e.g. {"reason":"kept"} or "filtered"';
    const refused = await client(tenantId, auth)
      .callback(bad)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RequestValidationError);
    expect((refused as RequestValidationError).issues).toEqual([{ path: 'items[1].extra', message: rule }]);

    // The same callback sent past the client's check.
    const answer = await callByteAir(server.url, {
      path: '/predict/api/shop/callback',
      body: encodeMessage(CallbackRequest, CallbackRequest.fromPartial(bad)),
      requestId: 'cb-bad-extra',
    });
    expect(answer.status).toBe(200);
    expect(CallbackResponse.decode(answer.body)).toMatchObject({ code: 400, message: `items[1].extra: ${rule}` });
    expect((await state()).totals.callbacks).toBe(0);
  });
});

describe('ByteAirClient under injected faults', () => {
  const [, tenantId, auth] = MODES[0]!;

  it('replays a callback whose answer was lost with the same Request-Id; the emulator applies it once', async () => {
    await addFault({ route: 'POST /predict/api/*/callback', dropConnection: true, after: true, times: 1 });
    const attempts: AttemptInfo[] = [];
    const c = client(tenantId, auth, { onAttempt: (info) => attempts.push(info) });
    const response = await c.callback(
      { uid: 'u1', items: [{ id: 'x', pos: '1', extra: '{"reason":"kept"}' }] },
      { requestId: 'cb-lost-answer' },
    );
    // The first attempt was applied but its answer dropped; the replay answers 409, which counts as delivered.
    expect(response.code).toBe(409);
    // The report of each attempt tells "applied before" (409) from "applied now" (0).
    expect(attempts.map((a) => [a.attempt, a.error?.name, a.code])).toEqual([
      [1, 'ConnectionError', undefined],
      [2, undefined, 409],
    ]);
    const seen = server.requests.list({ path: '/predict/api/shop/callback' });
    expect(seen.map((r) => r.requestId)).toEqual(['cb-lost-answer', 'cb-lost-answer']);
    expect((await state()).totals.callbacks).toBe(1);
  });

  it('times out a slow attempt and retries with the same Request-Id, applying it once', async () => {
    await addFault({ route: 'POST /predict/api/*/callback', latencyMs: 400, after: true, times: 1 });
    const c = client(tenantId, auth, { timeout: 150 });
    const response = await c.callback({ uid: 'u1', items: [{ id: 'y', pos: '1' }] }, { requestId: 'cb-slow' });
    expect([0, 409]).toContain(response.code);
    // The emulator logs the slow attempt once its delayed answer is written, after the client gave up on it.
    const seen = await until(
      () => server.requests.list({ path: '/predict/api/shop/callback' }),
      (r) => r.length === 2,
    );
    expect(seen.map((r) => r.requestId)).toEqual(['cb-slow', 'cb-slow']);
    expect((await state()).totals.callbacks).toBe(1);
  });

  it('retries throttling (HTTP 429 with body code 429) and reports a persistent outage as the last error', async () => {
    await addFault({ route: 'POST /predict/api/*/home', status: 429, times: 1 });
    const c = client(tenantId, auth);
    await expect(c.predict({ user: { uid: 'u1' }, size: 2 }, { scene: 'home' })).resolves.toMatchObject({ code: 0 });

    await addFault({ route: 'POST /predict/api/*/feed', status: 503 });
    const error = await c.predict({ user: { uid: 'u1' }, size: 2 }, { scene: 'feed', maxRetries: 2 }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, retryable: true, attempts: 3 });
    expect(isNetError(error)).toBe(false);
  });

  it('fails over from a host that refuses to the emulator', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = client(tenantId, auth, { hosts: [`127.0.0.1:${deadPort}`, `127.0.0.1:${server.port}`] });
    await expect(c.predict({ user: { uid: 'u1' }, size: 1 })).resolves.toMatchObject({ code: 0 });
  });

  it('fails over from a host that times out with the same Request-Id, and passes it over on the next call', async () => {
    const slow = await startByteAir();
    onTestFinished(() => slow.close());
    // The delay ends when the client gives up on it; the timeout leaves the healthy host time on a busy machine.
    await supportAddFault(slow, { route: 'POST /predict/**', latencyMs: 30_000 });
    const [slowHost, fastHost] = [slow.port, server.port].map((port) => `127.0.0.1:${port}`) as [string, string];
    const attempts: AttemptInfo[] = [];
    const c = client(tenantId, auth, {
      hosts: [slowHost, fastHost],
      timeout: 1_000,
      onAttempt: (info) => attempts.push(info),
    });
    const first = await c.predict({ user: { uid: 'u1' }, size: 1 });
    const second = await c.predict({ user: { uid: 'u1' }, size: 1 });
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(attempts.map((a) => [a.host, a.error?.name])).toEqual([
      [`http://${slowHost}`, 'TimeoutError'],
      [`http://${fastHost}`, undefined],
      [`http://${fastHost}`, undefined],
    ]);
    const [firstId, failoverId, secondId] = attempts.map((a) => a.requestId);
    expect(failoverId).toBe(firstId);
    expect(secondId).not.toBe(firstId);
    // The slow emulator logs the attempt once the client gave up on it, as dropped (status 0).
    const slowSeen = await until(
      () => slow.requests.list({ path: '/predict/**' }),
      (r) => r.length > 0,
    );
    expect(slowSeen.map((r) => [r.requestId, r.status])).toEqual([[firstId, 0]]);
    const fastSeen = await until(
      () => server.requests.list({ path: '/predict/**' }),
      (r) => r.length === 2,
    );
    expect(fastSeen.map((r) => r.requestId)).toEqual([firstId, secondId]);
  });

  it('surfaces an auth failure as a non-retryable auth error', async () => {
    const c = client(tenantId, { token: 'wrong-token' });
    const error = await c.predict({ user: { uid: 'u1' }, size: 1 }).catch((e) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 401, errorClass: 'auth', attempts: 1 });
  });
});

/** One call of each ByteAir method, taking per-call options. */
const CALLS: [string, (c: ByteAirClient, options: ByteAirCallOptions) => Promise<unknown>][] = [
  ['predict', (c, options) => c.predict({ user: { uid: 'u1' }, size: 1 }, { ...options, scene: 'home' })],
  ['callback', (c, options) => c.callback({ uid: 'u1', items: [{ id: 'i1', pos: '1' }] }, options)],
  ['writeData', (c, options) => c.writeData([{ id: 'w1' }], { ...options, topic: 'item' })],
  ['done', (c, options) => c.done({ ...options, topic: 'item', dates: ['2026-11-23'] })],
];

describe.each(CALLS)('per-call options of %s', (_method, call) => {
  const [, tenantId, auth] = MODES[0]!;

  it('a per-call timeout beats the client-wide one', async () => {
    await addFault({ route: 'POST /**', latencyMs: 400 });
    const c = client(tenantId, auth, { timeout: 5_000 });
    const [timedOut, waited] = await Promise.allSettled([call(c, { timeout: 100, maxRetries: 0 }), call(c, {})]);
    expect(timedOut).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError', timeoutMs: 100 } });
    expect((timedOut as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    // The same call under the client-wide timeout waits out the latency.
    expect(waited.status).toBe('fulfilled');
  });

  it('per-call maxRetries: 0 makes one attempt where the client retries', async () => {
    await addFault({ route: 'POST /**', status: 503 });
    const c = client(tenantId, auth, { maxRetries: 2 });
    const once = await call(c, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(once).toBeInstanceOf(ApiError);
    expect(once).toMatchObject({ status: 503, retryable: true, attempts: 1 });
    await expect(call(c, {})).rejects.toMatchObject({ status: 503, attempts: 3 });
  });

  it('an aborted signal ends the call before anything is sent', async () => {
    const c = client(tenantId, auth);
    await call(c, { requestId: 'before-abort' });
    const aborted = await call(c, { requestId: 'aborted', signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(UserAbortError);
    await call(c, { requestId: 'after-abort' });
    // The emulator numbers requests as they arrive: nothing arrived between the calls around the aborted one.
    const seen = await until(
      () => server.requests.list(),
      (r) => r.some((record) => record.requestId === 'after-abort'),
    );
    expect(seen.map((r) => r.requestId)).toEqual(['before-abort', 'after-abort']);
    expect(seen[1]!.seq).toBe(seen[0]!.seq + 1);
  });
});

describe('per-callback call options of a callback queue', () => {
  const [, tenantId, auth] = MODES[0]!;

  it("sends each callback with the queue's callOptions, overridden by those given to enqueue", async () => {
    await addFault({ route: 'POST /predict/api/*/callback', latencyMs: 400 });
    const c = client(tenantId, auth, { timeout: 5_000, maxRetries: 2 });
    const failures = new Map<string, InsightError>();
    const queue = c.createCallbackQueue({
      callOptions: { timeout: 100 },
      onError: (error, request) => {
        failures.set(request.uid, error);
      },
    });
    const callback = (uid: string) => ({ uid, items: [{ id: 'i1', pos: '1' }] });
    await queue.enqueue(callback('queue-timeout'));
    await queue.enqueue(callback('no-retries'), { maxRetries: 0 });
    await queue.enqueue(callback('own-timeout'), { timeout: 2_000 });
    const cancel = new AbortController();
    await queue.enqueue(callback('aborted'), { signal: cancel.signal });
    cancel.abort();
    await queue.close();

    expect(queue.stats).toMatchObject({ sent: 1, failed: 3 });
    expect([...failures.keys()].sort()).toEqual(['aborted', 'no-retries', 'queue-timeout']);
    expect(failures.get('queue-timeout')).toBeInstanceOf(TimeoutError);
    expect(failures.get('queue-timeout')).toMatchObject({ timeoutMs: 100, attempts: 3 });
    expect(failures.get('no-retries')).toMatchObject({ name: 'TimeoutError', timeoutMs: 100, attempts: 1 });
    expect(failures.get('aborted')).toBeInstanceOf(UserAbortError);
    // Timed-out attempts end during the injected delay, before the emulator applies them: only one callback landed.
    expect(Object.keys((await state()).shown.shop ?? {})).toEqual(['own-timeout']);
  });
});
