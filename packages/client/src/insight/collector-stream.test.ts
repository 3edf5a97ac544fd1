import { describe, expect, it, vi } from 'vitest';
import { ConnectionError, TimeoutError, UserAbortError } from '../core/errors.js';
import { insightApiError } from '../../test/support/insight-errors.js';
import { type CollectorStreamOptions, streamCollector } from './collector-stream.js';
import { mergeAsync } from './merge.js';

const encoder = new TextEncoder();

function event(offset: number): string {
  return `id: 0:${offset}\ndata: {"offset":${offset}}\n\n`;
}

/**
 * A server for one collector holding offsets [0, last]; `script` decides how each connection behaves: which offsets it
 * sends, whether a heartbeat follows them (by default it does), and how it ends. Like the service, every connection
 * opens with a comment.
 */
function fakeCollector(
  last: number,
  script: (connection: number, start: number) => { upTo: number; heartbeat?: boolean; end: 'close' | 'reset' | 'hang' },
) {
  const starts: number[] = [];
  const connect = async (start: number, signal: AbortSignal) => {
    starts.push(start);
    const { upTo, heartbeat = true, end } = script(starts.length, start);
    async function* body(): AsyncGenerator<Uint8Array> {
      yield encoder.encode(': connected\n');
      // Servers may resend the event just before the requested start; the stream must skip it.
      for (let offset = Math.max(0, start - 1); offset <= Math.min(upTo, last); offset++) {
        yield encoder.encode(event(offset));
      }
      if (heartbeat) yield encoder.encode(': heartbeat\n');
      if (end === 'reset') throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      if (end === 'hang') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }
    }
    return body();
  };
  return { starts, connect };
}

function options(
  server: ReturnType<typeof fakeCollector>,
  last: number,
  overrides: Partial<CollectorStreamOptions<number>> = {},
): CollectorStreamOptions<number> {
  return {
    collector: '0',
    start: 0,
    connect: server.connect,
    parse: (data) => {
      const offset = (JSON.parse(data) as { offset: number }).offset;
      return { item: offset, next: offset + 1 };
    },
    isComplete: async (next) => next > last,
    heartbeatTimeoutMs: 1_000,
    reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The stream's items one by one (it yields them in batches, one per chunk of the body). */
async function* read<T>(streamOptions: CollectorStreamOptions<T>): AsyncGenerator<T> {
  for await (const batch of streamCollector(streamOptions)) yield* batch;
}

/** Pins the backoff's jitter to its top and records the delays the stream sleeps between connections. */
function backoffDelays() {
  const random = vi.spyOn(Math, 'random').mockReturnValue(1);
  const values: number[] = [];
  const original = globalThis.setTimeout;
  const timeout = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
    // The heartbeat watchdog runs on 1 000 ms here; every other timer is a backoff sleep.
    if (ms !== 1_000) values.push(ms ?? 0);
    return original(callback, ms);
  }) as typeof setTimeout);
  return {
    values,
    restore() {
      random.mockRestore();
      timeout.mockRestore();
    },
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('streamCollector', () => {
  it('resumes after resets and early ends from the offset after the last one yielded, without repeats', async () => {
    const server = fakeCollector(29, (connection, start) => ({
      upTo: start + 6,
      end: connection % 2 === 0 ? 'reset' : 'close',
    }));
    expect(await collect(read(options(server, 29)))).toEqual(range(0, 29));
    expect(server.starts).toEqual([0, 7, 14, 21, 28]);
  });

  it('starts from the requested offset', async () => {
    const server = fakeCollector(9, () => ({ upTo: 9, end: 'close' }));
    expect(await collect(read(options(server, 9, { start: 6 })))).toEqual([6, 7, 8, 9]);
  });

  it('reconnects when the connection falls silent past the heartbeat timeout', async () => {
    const server = fakeCollector(5, (connection) => ({ upTo: connection === 1 ? 2 : 5, end: 'hang' }));
    const started = performance.now();
    const items: number[] = [];
    for await (const item of read(options(server, 5, { heartbeatTimeoutMs: 60 }))) {
      items.push(item);
      if (item === 5) break;
    }
    expect(items).toEqual(range(0, 5));
    expect(server.starts).toEqual([0, 3]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('does not count the time the consumer spends on an item as silence', async () => {
    const server = fakeCollector(3, () => ({ upTo: 3, end: 'close' }));
    const items: number[] = [];
    for await (const item of read(options(server, 3, { heartbeatTimeoutMs: 40 }))) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      items.push(item);
    }
    expect(items).toEqual(range(0, 3));
    expect(server.starts).toEqual([0]);
  });

  it('gives up after the configured reconnections without an event or a heartbeat (the opening comment is no proof)', async () => {
    const server = fakeCollector(5, () => ({ upTo: -1, heartbeat: false, end: 'reset' }));
    const failure = collect(read(options(server, 5, { reconnect: { maxAttempts: 3, baseDelayMs: 1 } })));
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toThrow('gave up after 3 reconnections without an event or a heartbeat');
    expect(server.starts).toHaveLength(4);
  });

  it('keeps a quiet collector whose connections carry heartbeats, however often they end, waiting longer each time', async () => {
    // No events, only a heartbeat before each end: more ends than the attempts allowed in a row.
    const server = fakeCollector(5, () => ({ upTo: -1, end: 'close' }));
    const controller = new AbortController();
    const delays = backoffDelays();
    try {
      const stream = read(
        options(server, 5, {
          isComplete: async () => {
            if (server.starts.length === 9) controller.abort();
            return false;
          },
          reconnect: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 32 },
          signal: controller.signal,
        }),
      );
      await expect(collect(stream)).rejects.toBeInstanceOf(UserAbortError);
    } finally {
      delays.restore();
    }
    expect(server.starts).toHaveLength(9);
    // The delay's cap doubles from one end to the next (the jitter is pinned to its top): no hot loop.
    expect(delays.values).toEqual([1, 2, 4, 8, 16, 32, 32, 32]);
  });

  it('confirms an end the stream is asked to confirm, without counting failures, then ends', async () => {
    const server = fakeCollector(5, () => ({ upTo: -1, heartbeat: false, end: 'close' }));
    let ends = 0;
    const stream = read(
      options(server, 5, {
        isComplete: async () => ++ends === 3 || 'again',
        reconnect: { maxAttempts: 0, baseDelayMs: 1 },
      }),
    );
    expect(await collect(stream)).toEqual([]);
    expect(server.starts).toHaveLength(3);
  });

  it.each([
    ['is throttled', insightApiError(40006)],
    ['meets a server error', insightApiError(10000)],
    ['times out', new TimeoutError(60_000)],
  ])('reopens a connection whose opening %s', async (_, error) => {
    const server = fakeCollector(3, () => ({ upTo: 3, end: 'close' }));
    let opens = 0;
    const connect: typeof server.connect = async (start, signal) => {
      if (++opens <= 2) throw error;
      return server.connect(start, signal);
    };
    expect(await collect(read(options(server, 3, { connect })))).toEqual(range(0, 3));
    expect(opens).toBe(3);
  });

  it('fails at once when opening is refused for good', async () => {
    const server = fakeCollector(3, () => ({ upTo: 3, end: 'close' }));
    const refusal = insightApiError(40004);
    let opens = 0;
    const connect: typeof server.connect = async () => {
      opens++;
      throw refusal;
    };
    await expect(collect(read(options(server, 3, { connect })))).rejects.toBe(refusal);
    expect(opens).toBe(1);
  });

  it('passes on errors that are not drops (a malformed event) without reconnecting', async () => {
    const server = fakeCollector(5, () => ({ upTo: 5, end: 'close' }));
    const stream = read(
      options(server, 5, {
        parse: () => {
          throw new TypeError('event data: offset must be an integer');
        },
      }),
    );
    await expect(collect(stream)).rejects.toThrow('offset must be an integer');
    expect(server.starts).toEqual([0]);
  });

  it('stops with UserAbortError when the caller aborts, even while waiting on a silent connection', async () => {
    const server = fakeCollector(100, () => ({ upTo: 1, end: 'hang' }));
    const controller = new AbortController();
    const items: number[] = [];
    const run = (async () => {
      for await (const item of read(options(server, 100, { signal: controller.signal }))) items.push(item);
    })();
    setTimeout(() => controller.abort(), 30);
    await expect(run).rejects.toBeInstanceOf(UserAbortError);
    expect(items).toEqual([0, 1]);
  });
});

describe('mergeAsync', () => {
  it('interleaves several collectors and yields everything once', async () => {
    const streams = [0, 1, 2].map((n) => {
      const server = fakeCollector(9 + n, (_, start) => ({
        upTo: start + 3,
        end: start + 3 >= 9 + n ? 'close' : 'reset',
      }));
      return read(options(server, 9 + n));
    });
    const items = await collect(mergeAsync(streams));
    expect(items.sort((a, b) => a - b)).toEqual(
      [...range(0, 9), ...range(0, 10), ...range(0, 11)].sort((a, b) => a - b),
    );
  });

  it('fails when one source fails', async () => {
    async function* failing() {
      yield 1;
      throw new Error('source broke');
    }
    async function* endless() {
      for (;;) {
        yield 2;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    await expect(collect(mergeAsync([failing(), endless()]))).rejects.toThrow('source broke');
  });
});
