import { INSIGHT_LIMITS } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { ApiError, UserAbortError } from '../src/core/errors.js';
import type { Logger } from '../src/core/logging.js';
import { createMemoryCheckpointStore } from '../src/insight/checkpoint-store.js';
import { createInsightClient, type InsightClientOptions } from '../src/insight/client.js';
import { backtrackCheckpointKey } from '../src/insight/consume.js';
import { CLOCK_MARGIN_MS, type InsightDelivery } from '../src/insight/streams.js';
import { type LocalServer, reply } from './support/local-server.js';
import {
  openEvents,
  PATHS,
  type Route,
  refuse,
  useInsightServices,
  streamEvent,
  streamEvents,
  succeed,
  taskInfo,
} from './support/insight-service.js';

const { service, track } = useInsightServices();

/** A client of `server` whose calls are not retried, so that every failure reaches the stream or the wait. */
function client(server: LocalServer, overrides: Partial<InsightClientOptions> = {}) {
  const created = createInsightClient({
    bizName: 'biz',
    accessToken: 'token',
    baseUrl: server.url,
    maxRetries: 0,
    streams: { reconnect: { baseDelayMs: 1, maxDelayMs: 2 } },
    ...overrides,
  });
  return track(created);
}

/** Consumes task 7 and returns the offsets delivered, in order. */
async function consumeOffsets(server: LocalServer, overrides: Partial<InsightClientOptions> = {}): Promise<number[]> {
  const offsets: number[] = [];
  await client(server, overrides).consumeBacktrack(7, {
    checkpoints: createMemoryCheckpointStore(),
    wait: { intervalMs: 1 },
    onDelivery: (delivery) => {
      offsets.push(delivery.offset);
    },
  });
  return offsets;
}

/** A backtrack stream route: `answer` gets the connection's number (from 1) and its `start_offset`. */
function backtrackStream(answer: (connection: number, start: number, response: Parameters<Route>[1]) => void) {
  const starts: number[] = [];
  const route: Route = (url, response) => {
    const start = Number(url.searchParams.get('start_offset'));
    starts.push(start);
    answer(starts.length, start, response);
  };
  return { route, starts };
}

describe('backtrack streams end only when the collector is drained', () => {
  it('reads on after a connection that closes early without an error', async () => {
    const stream = backtrackStream((connection, start, response) => {
      // The first connection is delimited by its close, and cut after two events: it ends like a complete one.
      openEvents(response, { framed: connection > 1 });
      response.end(streamEvents(0, start, connection === 1 ? 1 : 4));
    });
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 4 })),
      [PATHS.backtrackStream]: stream.route,
    });
    expect(await consumeOffsets(server)).toEqual([0, 1, 2, 3, 4]);
    expect(stream.starts).toEqual([0, 2]);
  });

  it('reconnects when a 200 answer is not an event stream (a proxy page)', async () => {
    const stream = backtrackStream((connection, start, response) => {
      if (connection === 1) return reply(response, 200, '<html>gateway</html>', { 'content-type': 'text/html' });
      openEvents(response);
      response.end(streamEvents(0, start, 4));
    });
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 4 })),
      [PATHS.backtrackStream]: stream.route,
    });
    expect(await consumeOffsets(server)).toEqual([0, 1, 2, 3, 4]);
    expect(stream.starts).toEqual([0, 0]);
  });

  it('reads on after a connection that closes before its first event, twice', async () => {
    const stream = backtrackStream((connection, start, response) => {
      openEvents(response, { framed: connection > 2 });
      response.end(connection <= 2 ? ': connected\n\n' : streamEvents(0, start, 4));
    });
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 4 })),
      [PATHS.backtrackStream]: stream.route,
    });
    expect(await consumeOffsets(server)).toEqual([0, 1, 2, 3, 4]);
    expect(stream.starts).toEqual([0, 0, 0]);
  });

  it('ends a collector whose last offsets are withheld once connections in a row bring nothing new', async () => {
    // Offsets 3 and 4 are withheld: the finished task reports 4 as the last offset, the stream never carries them.
    const stream = backtrackStream((_, start, response) => {
      openEvents(response);
      response.end(start <= 2 ? streamEvents(0, start, 2) : ': nothing left\n\n');
    });
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 4 })),
      [PATHS.backtrackStream]: stream.route,
    });
    expect(await consumeOffsets(server)).toEqual([0, 1, 2]);
    expect(stream.starts).toEqual([0, 3, 3, 3]);
  });
});

describe('retryable failures while opening a stream or polling a task', () => {
  it('reopens a stream whose opening is throttled or meets a server error', async () => {
    const stream = backtrackStream((connection, start, response) => {
      if (connection === 1) return refuse(response, 403, '[40006]reached qps limit');
      if (connection === 2) return reply(response, 503, 'busy');
      openEvents(response);
      response.end(streamEvents(0, start, 2));
    });
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 2 })),
      [PATHS.backtrackStream]: stream.route,
    });
    expect(await consumeOffsets(server)).toEqual([0, 1, 2]);
    expect(stream.starts).toEqual([0, 0, 0]);
  });

  it('fails at once when a stream is refused for good', async () => {
    const stream = backtrackStream((_, __, response) => refuse(response, 400, '[40004]invalid param: task_id'));
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 2 })),
      [PATHS.backtrackStream]: stream.route,
    });
    await expect(consumeOffsets(server)).rejects.toMatchObject({ name: 'ApiError', code: 40004 });
    expect(stream.starts).toEqual([0]);
  });

  it('keeps polling a task through polls that fail with a retryable error', async () => {
    let polls = 0;
    const server = await service({
      [PATHS.taskInfo]: (_, response) => {
        polls++;
        if (polls === 1) return refuse(response, 500, '[10000]internal error');
        if (polls === 2) return refuse(response, 403, '[40006]reached qps limit');
        if (polls === 3) return succeed(response, taskInfo({ '0': 1 }, 'running'));
        return succeed(response, taskInfo({ '0': 1 }));
      },
      [PATHS.backtrackStream]: (url, response) => {
        openEvents(response);
        response.end(streamEvents(0, Number(url.searchParams.get('start_offset')), 1));
      },
    });
    expect(await consumeOffsets(server)).toEqual([0, 1]);
    expect(polls).toBe(4);
  });

  it('gives up waiting after reconnect.maxAttempts polls failed in a row', async () => {
    let polls = 0;
    const server = await service({
      [PATHS.taskInfo]: (_, response) => {
        polls++;
        refuse(response, 500, '[10000]internal error');
      },
    });
    const insight = client(server, { streams: { reconnect: { maxAttempts: 2 } } });
    const failure = insight.backtrack.waitUntilFinished(7, { intervalMs: 1 });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ code: 10000 });
    expect(polls).toBe(3);
  });
});

describe('realtime resume', () => {
  type Opened = { start: string | null; at: number; refused: boolean };

  /**
   * A realtime route that refuses a `start_offset` past the replay window with `[40004]`; of the others, the first
   * carries a heartbeat and ends, the later ones send one event and stay open.
   */
  function realtimeService(log: Opened[]) {
    let accepted = 0;
    return service({
      [PATHS.realtimeStream]: (url, response) => {
        const start = url.searchParams.get('start_offset');
        const at = Date.now();
        const hours = url.searchParams.get('sync_only') === 'true' ? 3 : 24;
        const refused = start !== null && Number(start) < at - hours * 3_600_000;
        log.push({ start, at, refused });
        if (refused) return refuse(response, 400, `[40004]invalid param: start_offset must lie within ${hours} h`);
        openEvents(response);
        if (++accepted === 1) return response.end(': heartbeat\n\n');
        response.write(streamEvent(url.searchParams.get('collector') ?? '0', Number(start ?? at) + 1));
      },
    });
  }

  function recordingLogger() {
    const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (message, fields) => warnings.push({ message, fields }),
      error: () => {},
    };
    return { logger, warnings };
  }

  it.each([
    [false, INSIGHT_LIMITS.realtimeReplaySeconds],
    [true, INSIGHT_LIMITS.realtimeSyncOnlyReplaySeconds],
  ])(
    'moves a start the service refuses as too old up to its replay window, once (syncOnly %s)',
    async (syncOnly, seconds) => {
      const log: Opened[] = [];
      const server = await realtimeService(log);
      const { logger, warnings } = recordingLogger();
      const since = Date.now() - (seconds + 3_600) * 1000;
      let first: InsightDelivery | undefined;
      for await (const delivery of client(server, { logger }).stream.realtime({ collectors: ['3'], since, syncOnly })) {
        first = delivery;
        break;
      }
      // Refused, moved up; the connection that replaces the moved one (it ended) starts there too, without a refusal.
      expect(log.map((opened) => opened.refused)).toEqual([true, false, false]);
      expect(log[0]!.start).toBe(String(since));
      const moved = Number(log[1]!.start);
      expect(moved).toBeGreaterThanOrEqual(log[1]!.at - seconds * 1000);
      expect(log[2]!.start).toBe(String(moved));
      expect(first).toMatchObject({ collector: '3', offset: moved + 1 });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain(`realtime collector 3: start ${since} is past the ${seconds / 3600} h`);
      expect(warnings[0]!.fields).toEqual({ collector: '3', requestedOffset: since, startOffset: moved });
    },
  );

  it('fails at once when the service refuses a start within the replay window', async () => {
    const log: Opened[] = [];
    const server = await service({
      [PATHS.realtimeStream]: (url, response) => {
        log.push({ start: url.searchParams.get('start_offset'), at: Date.now(), refused: true });
        refuse(response, 400, '[40004]invalid param: collector');
      },
    });
    const stream = client(server).stream.realtime({ collectors: ['0'], since: Date.now() - 3_600_000 });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'ApiError', code: 40004 });
    expect(log).toHaveLength(1);
  });

  it('resumes a stream that dropped before its first event from when it was first opened', async () => {
    const log: Opened[] = [];
    const server = await realtimeService(log);
    const before = Date.now();
    for await (const _ of client(server).stream.realtime({ collectors: ['0'] })) break;
    expect(log.map((opened) => opened.start === null)).toEqual([true, false]);
    // By this machine's clock, less a margin in case it runs ahead of the service's.
    const resumedFrom = Number(log[1]!.start);
    expect(resumedFrom).toBeGreaterThanOrEqual(before - CLOCK_MARGIN_MS);
    expect(resumedFrom).toBeLessThanOrEqual(log[0]!.at - CLOCK_MARGIN_MS);
  });
});

describe('consumeBacktrack stops at an abort', () => {
  it('writes nothing more, not even the rest of the batch in hand', async () => {
    const server = await service({
      [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({ '0': 49 })),
      [PATHS.backtrackStream]: (_, response) => {
        openEvents(response);
        // One write: the client reads the fifty events as one batch.
        response.end(streamEvents(0, 0, 49));
      },
    });
    const controller = new AbortController();
    const store = createMemoryCheckpointStore();
    const written: number[] = [];
    const run = client(server).consumeBacktrack(7, {
      checkpoints: store,
      signal: controller.signal,
      onDelivery: (delivery) => {
        written.push(delivery.offset);
        if (written.length === 10) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(UserAbortError);
    expect(written).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(await store.load(backtrackCheckpointKey(7, { bizName: 'biz', baseUrl: server.url }))).toEqual({ '0': 9 });
  });
});
