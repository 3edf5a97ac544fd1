/**
 * Consumption streams: one connection per collector, so that each collector resumes from its own offset after a drop
 * (`start_offset` applies to every collector of a connection). Events arrive as `id: {collector}:{offset}` with the
 * post in `data`; the next connection of a collector starts at the last offset seen plus one.
 */
import { setMaxListeners } from 'node:events';
import { type BacktrackTaskInfo, INSIGHT_LIMITS, type InsightErrorCode, ItemDoc } from '@insight/protocol';
import { ApiError, ResponseValidationError, type ValidationIssue } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import { timingIssue } from '../core/transport.js';
import type { InsightApi } from './api.js';
import { type ReconnectOptions, releaseBatch, streamCollector } from './collector-stream.js';
import { mergeAsync } from './merge.js';
import { formatIssuePath } from './validation.js';
import { BacktrackTaskFailedError } from './wait.js';

/** One post delivered by a consumption stream. */
export interface InsightDelivery {
  /** The collector it came from, `"0"`…`"19"`. */
  readonly collector: string;
  /** Its position in the collector; `(collector, offset)` identifies a delivery. */
  readonly offset: number;
  /** The service's message id. */
  readonly msgId: string;
  /** The post. */
  readonly doc: ItemDoc;
}

/** Settings shared by both streams. */
export interface StreamSettings {
  /**
   * Silence after which a connection is considered dead and replaced, in ms. The service sends a heartbeat every 15 s.
   * @default 45000
   */
  heartbeatTimeoutMs?: number | undefined;
  /** How dropped connections are replaced. */
  reconnect?: ReconnectOptions | undefined;
}

/** Options of `stream.backtrack`. */
export interface BacktrackStreamOptions extends StreamSettings {
  /** The backtrack task. */
  taskId: number;
  /** Collectors to read. @default all 20, `"0"`…`"19"` */
  collectors?: readonly string[] | undefined;
  /** First offset to read (inclusive): one for every collector, or per collector (missing ones start at 0). @default 0 */
  from?: number | Readonly<Record<string, number>> | undefined;
  /** Stops the stream. */
  signal?: AbortSignal | undefined;
}

/** Options of `stream.realtime`. */
export interface RealtimeStreamOptions extends StreamSettings {
  /** Collectors to read. @default all 10, `"0"`…`"9"` */
  collectors?: readonly string[] | undefined;
  /**
   * Where to start: a time (realtime offsets are hit times in ms) for every collector, or the next offset per
   * collector to resume from. The service replays the last 24 hours (3 with `syncOnly`): a start it refuses as older is
   * moved up to the oldest time it replays, with a warning to the client's logger. @default now, as the service decides
   */
  since?: Date | number | Readonly<Record<string, number>> | undefined;
  /** Only hits of synchronous tasks. */
  syncOnly?: boolean | undefined;
  /** Stops the stream. */
  signal?: AbortSignal | undefined;
}

/** Default silence before a stream connection is replaced, in ms: three missed 15-second heartbeats. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;

/**
 * How far a realtime start computed from this machine's clock is kept from the time it aims at, in ms, in case the
 * clock runs ahead of the service's: a resume point taken from it is moved earlier by this much, and a start moved up
 * to the edge of the replay window is kept this much inside it.
 */
export const CLOCK_MARGIN_MS = 60_000;

/** The code the service answers a parameter it refuses with, such as a start past the replay window. */
const INVALID_PARAM = 40004 satisfies InsightErrorCode;

/** What the stream functions need from the client. */
export interface StreamContext {
  readonly api: InsightApi;
  readonly getTaskInfo: (taskId: number, signal: AbortSignal | undefined) => Promise<BacktrackTaskInfo>;
  readonly defaults: StreamSettings;
  /** Receives the warnings of the streams. */
  readonly logger?: Logger | undefined;
}

/**
 * Problems of stream settings, each path prefixed with `prefix`: `heartbeatTimeoutMs` an integer from 1 to 2147483647
 * (ms), `reconnect.baseDelayMs` and `reconnect.maxDelayMs` finite numbers from 0 to 2147483647 (ms),
 * `reconnect.maxAttempts` a non-negative integer.
 */
export function streamSettingsIssues(settings: StreamSettings | undefined, prefix = ''): ValidationIssue[] {
  if (settings === undefined) return [];
  const { heartbeatTimeoutMs, reconnect } = settings;
  if (reconnect !== undefined && (typeof reconnect !== 'object' || reconnect === null)) {
    return [{ path: `${prefix}reconnect`, message: 'must be an object { maxAttempts?, baseDelayMs?, maxDelayMs? }' }];
  }
  return [
    timingIssue(`${prefix}heartbeatTimeoutMs`, 'timeout', heartbeatTimeoutMs),
    timingIssue(`${prefix}reconnect.maxAttempts`, 'count', reconnect?.maxAttempts),
    timingIssue(`${prefix}reconnect.baseDelayMs`, 'delay', reconnect?.baseDelayMs),
    timingIssue(`${prefix}reconnect.maxDelayMs`, 'delay', reconnect?.maxDelayMs),
  ].filter((issue) => issue !== undefined);
}

/**
 * Clean ends in a row without a new event, of connections opened after the task finished, that show a collector's
 * remaining offsets are gaps rather than posts a connection closed early kept back.
 */
export const EMPTY_ENDS_TO_CONFIRM = 3;

/** Options of {@link streamBacktrackCollector}. */
export interface CollectorReadOptions extends StreamSettings {
  readonly taskId: number;
  readonly collector: string;
  /** First offset to read (inclusive). */
  readonly from: number;
  /** The collector's last offset, when the task is known to have finished. */
  readonly lastOffset?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads one collector of a backtrack task to its end, in batches (what each chunk of the body completed).
 *
 * The server ends the stream of a finished task after the collector's last offset, and an end cut short by a broken
 * connection reads as a failure; but a connection can also end early without one (a proxy that closes it). So an end
 * counts as the collector's end only once the task has finished and either the stream got past the collector's last
 * offset, or {@link EMPTY_ENDS_TO_CONFIRM} connections in a row, opened after the task finished, ended without any new
 * event: the offsets left are gaps (withheld posts) that are never delivered, which one early close could not fake.
 * Any other end is a drop, and the stream resumes where it stopped.
 */
export function streamBacktrackCollector(
  context: StreamContext,
  options: CollectorReadOptions,
): AsyncGenerator<InsightDelivery[]> {
  const { taskId, collector } = options;
  let lastOffset = options.lastOffset;
  let openedAfterFinish = false;
  let emptyEnds = 0;
  return streamCollector({
    collector,
    start: options.from,
    connect: (start, signal) => {
      openedAfterFinish = lastOffset !== undefined;
      return context.api.openStream('backtrackStream', { task_id: taskId, collector, start_offset: start }, signal);
    },
    parse: (data) => parseDelivery(data, collector),
    isComplete: async (next, yielded) => {
      if (lastOffset === undefined) {
        const info = await context.getTaskInfo(taskId, options.signal);
        if (info.task_status === 'failed') throw new BacktrackTaskFailedError(taskId, info);
        if (info.task_status !== 'finished') return false;
        lastOffset = info.collector_cur_max_offset[collector] ?? -1;
      }
      if (next > lastOffset) return true;
      if (!openedAfterFinish || yielded) {
        emptyEnds = 0;
        return false;
      }
      return ++emptyEnds >= EMPTY_ENDS_TO_CONFIRM || 'again';
    },
    heartbeatTimeoutMs:
      options.heartbeatTimeoutMs ?? context.defaults.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    reconnect: options.reconnect ?? context.defaults.reconnect,
    signal: options.signal,
  });
}

/** `stream.backtrack`: every selected collector of a task, interleaved as the posts arrive. */
export async function* streamBacktrack(
  context: StreamContext,
  options: BacktrackStreamOptions,
): AsyncGenerator<InsightDelivery> {
  const collectors = options.collectors ?? collectorIds(INSIGHT_LIMITS.backtrackCollectors);
  const controller = new AbortController();
  const signal = linkSignal(options.signal, controller);
  try {
    const batches = mergeAsync(
      collectors.map((collector) =>
        streamBacktrackCollector(context, { ...options, collector, from: startOf(options.from, collector, 0), signal }),
      ),
    );
    for await (const batch of batches) {
      yield* batch;
      releaseBatch(batch);
    }
  } finally {
    controller.abort();
  }
}

/** `stream.realtime`: the business's realtime hits, every selected collector interleaved; it never ends by itself. */
export async function* streamRealtime(
  context: StreamContext,
  options: RealtimeStreamOptions = {},
): AsyncGenerator<InsightDelivery> {
  const collectors = options.collectors ?? collectorIds(INSIGHT_LIMITS.realtimeCollectors);
  const since = options.since instanceof Date ? options.since.getTime() : options.since;
  const replaySeconds = options.syncOnly
    ? INSIGHT_LIMITS.realtimeSyncOnlyReplaySeconds
    : INSIGHT_LIMITS.realtimeReplaySeconds;
  const controller = new AbortController();
  const signal = linkSignal(options.signal, controller);
  try {
    const batches = mergeAsync(
      collectors.map((collector) => {
        const open = (from: number | undefined, signal: AbortSignal) =>
          context.api.openStream(
            'realtimeStream',
            {
              collector,
              start_offset: from,
              sync_only: options.syncOnly === undefined ? undefined : String(options.syncOnly),
            },
            signal,
          );
        // Without `since`, the first connection starts where the service decides (now). A connection that replaces it
        // before any event arrived resumes from when the first one was opened, so that the posts hit in between are
        // not skipped.
        let openedAt: number | undefined;
        // Where a start the service refused as past its replay window was moved up to: later connections start there
        // at the earliest.
        let floor = -1;
        return streamCollector({
          collector,
          start: startOf(since, collector, -1),
          connect: async (start, signal) => {
            if (start < 0 && openedAt === undefined) {
              openedAt = Date.now() - CLOCK_MARGIN_MS;
              return open(undefined, signal);
            }
            const from = Math.max(start < 0 ? openedAt! : start, floor);
            try {
              return await open(from, signal);
            } catch (error) {
              // The service's clock decides what is past the window: a start is only moved once it was refused.
              const edge = Date.now() - replaySeconds * 1000 + CLOCK_MARGIN_MS;
              if (!(error instanceof ApiError && error.code === INVALID_PARAM && from < edge)) throw error;
              const lost = `posts hit before ${new Date(edge).toISOString()} cannot be replayed`;
              context.logger?.warn(
                `realtime collector ${collector}: start ${from} is past the ${replaySeconds / 3600} h replay window; ${lost}`,
                { collector, requestedOffset: from, startOffset: edge },
              );
              floor = edge;
              return open(edge, signal);
            }
          },
          parse: (data) => parseDelivery(data, collector),
          isComplete: async () => false,
          heartbeatTimeoutMs:
            options.heartbeatTimeoutMs ?? context.defaults.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
          reconnect: options.reconnect ?? context.defaults.reconnect,
          signal,
        });
      }),
    );
    for await (const batch of batches) {
      yield* batch;
      releaseBatch(batch);
    }
  } finally {
    controller.abort();
  }
}

/**
 * Parses and validates one event of a collector's stream; returns it with the offset to resume from. The post is
 * checked by the protocol's `ItemDoc` schema; the three envelope fields of `StreamEvent` are checked here against this
 * stream's own collector, which is stricter than the schema's id pattern and, once per event, a third cheaper than a
 * second schema pass over the envelope.
 */
function parseDelivery(data: string, collector: string): { item: InsightDelivery; next: number } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw invalidEvent(collector, 'data is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidEvent(collector, 'data must be a JSON object');
  }
  const event = json as Record<string, unknown>;
  const { offset, msg_id: msgId } = event;
  if (event.collector !== collector) {
    throw invalidEvent(
      collector,
      `collector ${JSON.stringify(event.collector)} on the stream of collector ${collector}`,
    );
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidEvent(collector, `offset must be a non-negative integer, got ${JSON.stringify(offset)}`);
  }
  if (typeof msgId !== 'string') throw invalidEvent(collector, `msg_id must be a string, got ${JSON.stringify(msgId)}`);
  const doc = ItemDoc.safeParse(event.item_doc);
  if (!doc.success) {
    const problems = doc.error.issues.map(
      (issue) => `${formatIssuePath(['item_doc', ...issue.path])}: ${issue.message}`,
    );
    throw invalidEvent(collector, problems.join('; '));
  }
  return { item: { collector, offset, msgId, doc: doc.data }, next: offset + 1 };
}

/** An event that breaks the stream's contract; a function of its own so that valid events allocate no closure. */
function invalidEvent(collector: string, problem: string): ResponseValidationError {
  return new ResponseValidationError(`stream event of collector ${collector}: ${problem}`, { status: 200 });
}

function startOf<T extends number | undefined>(
  from: number | Readonly<Record<string, number>> | undefined,
  collector: string,
  fallback: T,
): number | T {
  if (typeof from === 'number') return from;
  return from?.[collector] ?? fallback;
}

/** Collector ids `"0"`…`"{count-1}"`. */
export function collectorIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}

/** The caller's signal combined with the stream's own, so that a stream can stop its connections when it ends. */
export function linkSignal(signal: AbortSignal | undefined, controller: AbortController): AbortSignal {
  const linked = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
  // Every collector's connection listens to it: twenty collectors are expected, not a leak.
  setMaxListeners(0, linked);
  return linked;
}
