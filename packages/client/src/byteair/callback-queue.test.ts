import { CallbackResponse, encodeMessage } from '@insight/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, reply, startServer } from '../../test/support/local-server.js';
import { type InsightError, RequestValidationError } from '../core/errors.js';
import { type ByteAirClient, createByteAirClient } from './client.js';
import { CallbackQueueError } from './callback-queue.js';

const servers: LocalServer[] = [];
const clients: ByteAirClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const answer = (code: number) =>
  Buffer.from(encodeMessage(CallbackResponse, { code, message: '', success: code === 0 }));

/** A ByteAir stand-in that answers after `delayMs`, failing the uids listed in `failing`, and tracks concurrency. */
async function setup(delayMs = 0, failing = new Set<string>()) {
  let active = 0;
  let peak = 0;
  const s = await startServer((req, res) => {
    active++;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active--;
      const failed = [...failing].some((uid) => req.body.length > 0 && req.headers['x-uid'] === uid);
      reply(res, 200, answer(failed ? 400 : 0));
    }, delayMs);
  });
  servers.push(s);
  const client = clientOf(s);
  return { server: s, client, peak: () => peak };
}

/** A client of a local test server, retrying at once, closed after the tests. */
function clientOf(server: { host: string }) {
  const client = createByteAirClient({
    tenantId: 't',
    applicationId: 'app',
    hosts: [server.host],
    scheme: 'http',
    auth: { token: 'x' },
    backoff: { baseMs: 1, capMs: 2 },
  });
  clients.push(client);
  return client;
}

const callback = (uid: string) => ({ uid, items: [{ id: `item-${uid}`, pos: '1' }] });
const tagged = (uid: string) => ({ headers: { 'X-Uid': uid } });

describe('CallbackQueue', () => {
  it('returns at once, sends in the background within the concurrency limit, and flushes', async () => {
    const { server, client, peak } = await setup(50);
    const errors: unknown[] = [];
    const queue = client.createCallbackQueue({ concurrency: 3, onError: (e) => errors.push(e) });
    for (let i = 0; i < 12; i++) await queue.enqueue(callback(`u${i}`));
    // Every enqueue returned before the first answer (50 ms away) arrived.
    expect(queue.stats).toMatchObject({ sent: 0, inFlight: 3, queued: 9 });
    await queue.flush();
    expect(queue.stats).toEqual({ queued: 0, inFlight: 0, sent: 12, retried: 0, failed: 0 });
    expect(server.received).toHaveLength(12);
    expect(peak()).toBe(3);
    expect(errors).toEqual([]);
  });

  it('hands every undeliverable callback to onError with its request and request id', async () => {
    const { client } = await setup(0, new Set(['bad']));
    const failures: [InsightError, string, string | undefined][] = [];
    const queue = client.createCallbackQueue({
      onError: (e, request, o) => failures.push([e, request.uid, o.requestId]),
    });
    await queue.enqueue(callback('good'), tagged('good'));
    await queue.enqueue(callback('bad'), { ...tagged('bad'), requestId: 'rid-bad' });
    await queue.close();
    expect(failures.map(([e, uid, id]) => [e.name, (e as { code?: number }).code, uid, id, e.requestId])).toEqual([
      ['ApiError', 400, 'bad', 'rid-bad', 'rid-bad'],
    ]);
    expect(queue.stats).toMatchObject({ sent: 1, failed: 1 });
  });

  it('keeps draining when the onError handler throws, and logs the handler failure', async () => {
    const { server } = await setup(0, new Set(['bad']));
    const logged: string[] = [];
    const client = createByteAirClient({
      tenantId: 't',
      applicationId: 'app',
      hosts: [server.host],
      scheme: 'http',
      auth: { token: 'x' },
      logger: { debug() {}, info() {}, warn() {}, error: (m) => logged.push(m) },
    });
    clients.push(client);
    const queue = client.createCallbackQueue({
      onError: () => {
        throw new Error('handler bug');
      },
    });
    await queue.enqueue(callback('bad'), tagged('bad'));
    await queue.enqueue(callback('good'), tagged('good'));
    await queue.close();
    expect(queue.stats).toMatchObject({ sent: 1, failed: 1, inFlight: 0 });
    expect(logged).toContain('callback queue onError handler threw');
  });

  it('counts retries', async () => {
    let calls = 0;
    const s = await startServer((_req, res) => reply(res, calls++ === 0 ? 503 : 200, calls === 1 ? '' : answer(0)));
    servers.push(s);
    const client = clientOf(s);
    const queue = client.createCallbackQueue({ onError: () => {} });
    await queue.enqueue(callback('u'));
    await queue.close();
    expect(queue.stats).toMatchObject({ sent: 1, retried: 1, failed: 0 });
  });

  it("rejects when full in 'reject' mode, and waits for room in 'wait' mode", async () => {
    const { client } = await setup(30);
    const rejecting = client.createCallbackQueue({
      capacity: 2,
      concurrency: 1,
      whenFull: 'reject',
      onError: () => {},
    });
    await rejecting.enqueue(callback('a')); // sent at once
    await rejecting.enqueue(callback('b'));
    await rejecting.enqueue(callback('c'));
    const full = await rejecting.enqueue(callback('d')).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(CallbackQueueError);
    expect(full).toMatchObject({ reason: 'full' });
    await rejecting.close();
    expect(rejecting.stats.sent).toBe(3);

    const waiting = client.createCallbackQueue({ capacity: 1, concurrency: 1, onError: () => {} });
    await waiting.enqueue(callback('a'));
    await waiting.enqueue(callback('b'));
    let admitted = false;
    const third = waiting.enqueue(callback('c')).then(() => {
      admitted = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(admitted).toBe(false);
    expect(waiting.stats.queued).toBe(2);
    await third;
    expect(admitted).toBe(true);
    await waiting.close();
    expect(waiting.stats).toMatchObject({ sent: 3, queued: 0, inFlight: 0 });
  });

  it('refuses invalid callbacks at enqueue, and everything after close', async () => {
    const { client, server } = await setup();
    const queue = client.createCallbackQueue({ onError: () => {} });
    await expect(queue.enqueue({ uid: 'u', items: [] })).rejects.toBeInstanceOf(RequestValidationError);
    await queue.close();
    await expect(queue.enqueue(callback('u'))).rejects.toMatchObject({ name: 'CallbackQueueError', reason: 'closed' });
    expect(server.received).toHaveLength(0);
    expect(() => client.createCallbackQueue({} as never)).toThrow(/onError is required/);
    expect(() => client.createCallbackQueue({ onError() {}, concurrency: 0 })).toThrow(/concurrency/);
  });
});
