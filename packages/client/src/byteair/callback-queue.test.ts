import { CallbackResponse, encodeMessage } from '@insight/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, reply, startServer } from '../../test/support/local-server.js';
import { type InsightError, RequestValidationError, UserAbortError } from '../core/errors.js';
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
    const { client, logged } = loggedClient(server);
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

/** Collects the unhandled rejections that happen while `run` runs (and a few turns after). */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

/** A client of `server` with a logger whose `error` records its messages, and throws when `throwing` is set. */
function loggedClient(server: { host: string }, throwing = false) {
  const logged: string[] = [];
  const client = createByteAirClient({
    tenantId: 't',
    applicationId: 'app',
    hosts: [server.host],
    scheme: 'http',
    auth: { token: 'x' },
    logger: {
      debug() {},
      info() {},
      warn() {},
      error: (message) => {
        logged.push(message);
        if (throwing) throw new Error('logger down');
      },
    },
  });
  clients.push(client);
  return { client, logged };
}

describe('CallbackQueue: onError handlers that return promises', () => {
  it('waits for the promise before the callback counts as settled', async () => {
    const { client } = await setup(0, new Set(['bad']));
    const deadLetters: string[] = [];
    const queue = client.createCallbackQueue({
      onError: async (_error, request) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        deadLetters.push(request.uid);
      },
    });
    await queue.enqueue(callback('bad'), tagged('bad'));
    await queue.flush();
    expect(deadLetters).toEqual(['bad']);
    await queue.enqueue(callback('bad'), tagged('bad'));
    await queue.close();
    expect(deadLetters).toEqual(['bad', 'bad']);
    expect(queue.stats).toMatchObject({ failed: 2, inFlight: 0 });
  });

  it('logs a rejected promise instead of leaving it unhandled', async () => {
    const { server } = await setup(0, new Set(['bad']));
    const { client, logged } = loggedClient(server);
    const queue = client.createCallbackQueue({
      onError: () => Promise.reject(new Error('dead-letter store down')),
    });
    const unhandled = await unhandledDuring(async () => {
      await queue.enqueue(callback('bad'), tagged('bad'));
      await queue.enqueue(callback('good'), tagged('good'));
      await queue.close();
    });
    expect(unhandled).toEqual([]);
    expect(logged.filter((m) => m.startsWith('callback queue'))).toEqual(['callback queue onError handler rejected']);
    expect(queue.stats).toMatchObject({ sent: 1, failed: 1, inFlight: 0, queued: 0 });
  });

  it('survives a logger that throws while reporting a failing handler', async () => {
    const { server } = await setup(0, new Set(['bad']));
    const { client, logged } = loggedClient(server, true);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const rejecting = client.createCallbackQueue({ onError: () => Promise.reject(new Error('store down')) });
    const throwing = client.createCallbackQueue({
      onError: () => {
        throw new Error('handler bug');
      },
    });
    try {
      const unhandled = await unhandledDuring(async () => {
        for (const queue of [rejecting, throwing]) {
          await queue.enqueue(callback('bad'), tagged('bad'));
          await queue.enqueue(callback('good'), tagged('good'));
          await queue.close();
        }
      });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
    expect(logged.filter((m) => m.startsWith('callback queue'))).toEqual([
      'callback queue onError handler rejected',
      'callback queue onError handler threw',
    ]);
    expect(warnings).toHaveLength(2);
    for (const queue of [rejecting, throwing]) expect(queue.stats).toMatchObject({ sent: 1, failed: 1, inFlight: 0 });
  });
});

describe('CallbackQueue: flush', () => {
  it('resolves once the callbacks accepted before it settled, while more keep arriving', async () => {
    const { client } = await setup(10);
    const queue = client.createCallbackQueue({ concurrency: 1, onError: () => {} });
    for (let i = 0; i < 3; i++) await queue.enqueue(callback(`early-${i}`));
    let flushed = false;
    const flushing = queue.flush().then(() => {
      flushed = true;
    });
    // More callbacks arrive faster than they are sent: the queue never drains while this runs.
    for (let i = 0; i < 200 && !flushed; i++) {
      await queue.enqueue(callback(`late-${i}`));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(flushed).toBe(true);
    await flushing;
    expect(queue.stats.sent).toBeGreaterThanOrEqual(3);
    await queue.close();
  });

  it('waits for an earlier callback that is slower than later ones', async () => {
    const s = await startServer((req, res) =>
      setTimeout(() => reply(res, 200, answer(0)), req.headers['x-uid'] === 'slow' ? 100 : 5),
    );
    servers.push(s);
    const client = clientOf(s);
    const queue = client.createCallbackQueue({ concurrency: 2, onError: () => {} });
    await queue.enqueue(callback('slow'), tagged('slow'));
    await queue.enqueue(callback('fast'), tagged('fast'));
    await queue.flush();
    expect(queue.stats).toMatchObject({ sent: 2, inFlight: 0 });
    await queue.close();
  });
});

describe('CallbackQueue: refusals at enqueue', () => {
  it('refuses a callback whose headers clash with those the client sets, without calling onError', async () => {
    const { client, server } = await setup();
    const errors: unknown[] = [];
    const queue = client.createCallbackQueue({ onError: (e) => errors.push(e) });
    const clash = await queue
      .enqueue(callback('u'), { headers: { 'Request-Id': 'mine', 'tenant-id': 'other' } })
      .catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(RequestValidationError);
    expect((clash as RequestValidationError).issues.map((i) => i.path)).toEqual([
      'headers.Request-Id',
      'headers.tenant-id',
    ]);
    const badTimeout = await queue.enqueue(callback('u'), { timeout: 2 ** 31 }).catch((e: unknown) => e);
    expect(badTimeout).toMatchObject({ name: 'RequestValidationError', issues: [{ path: 'timeout' }] });
    const badItem = await queue.enqueue({ uid: 'u', items: [null as never] }).catch((e: unknown) => e);
    expect(badItem).toMatchObject({ name: 'RequestValidationError', issues: [{ path: 'items[0]' }] });
    await queue.close();
    expect(errors).toEqual([]);
    expect(queue.stats).toMatchObject({ sent: 0, failed: 0, queued: 0 });
    expect(server.received).toHaveLength(0);
  });

  it("bounds the callers waiting for room in 'wait' mode by the capacity", async () => {
    const { client } = await setup(30);
    const queue = client.createCallbackQueue({ capacity: 2, concurrency: 1, onError: () => {} });
    await queue.enqueue(callback('a')); // sent at once
    await queue.enqueue(callback('b'));
    await queue.enqueue(callback('c'));
    // Not awaited: these two wait for room.
    const waiters = [queue.enqueue(callback('d')), queue.enqueue(callback('e'))];
    const full = await queue.enqueue(callback('f')).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(CallbackQueueError);
    expect(full).toMatchObject({ reason: 'full' });
    expect(queue.stats).toMatchObject({ queued: 4, inFlight: 1 });
    await Promise.all(waiters);
    await queue.close();
    expect(queue.stats).toMatchObject({ sent: 5, queued: 0, inFlight: 0, failed: 0 });
  });

  it('refuses a callback whose signal has already aborted, with or without room, without calling onError', async () => {
    const { client, server } = await setup(30);
    const errors: unknown[] = [];
    const queue = client.createCallbackQueue({ capacity: 1, concurrency: 1, onError: (e) => errors.push(e) });
    const aborted = { signal: AbortSignal.abort(), requestId: 'rid-aborted' };
    const withRoom = await queue.enqueue(callback('x'), aborted).catch((e: unknown) => e);
    expect(withRoom).toBeInstanceOf(UserAbortError);
    expect(withRoom).toMatchObject({ requestId: 'rid-aborted', attempts: 0 });
    await queue.enqueue(callback('a')); // sent at once
    await queue.enqueue(callback('b')); // fills the queue
    await expect(queue.enqueue(callback('y'), aborted)).rejects.toBeInstanceOf(UserAbortError);
    expect(queue.stats.queued).toBe(1);
    await queue.close();
    expect(errors).toEqual([]);
    expect(queue.stats).toMatchObject({ sent: 2, failed: 0, queued: 0 });
    expect(server.received).toHaveLength(2);
  });
});
