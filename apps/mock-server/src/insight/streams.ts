import type { EventEmitter } from 'node:events';
import { formatInsightTime } from '@insight/protocol';
import type { Clock } from '../core/clock.js';
import type { StreamSink } from '../core/http.js';
import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/store.js';
import { invalidParam } from './errors.js';
import { POST_STATUS } from './post.js';

/**
 * Events read, and written, per collector at a time: one write of a few hundred KB, large enough for throughput,
 * small enough to interleave collectors and keep the socket's buffer bounded.
 */
export const STREAM_BATCH = 500;

/**
 * Reads a `collector` parameter: one id (`"3"`) or an inclusive range (`"0-4"`); all collectors when absent.
 *
 * @throws `[40004]` naming the parameter when it is malformed or outside `0…count-1`.
 */
export function parseCollectors(value: string | null, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (value === null || value === '') return all;
  const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(value.trim());
  if (match === null)
    throw invalidParam(
      'collector',
      `expected an id such as "3" or a range such as "0-4", got ${JSON.stringify(value)}`,
    );
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (to < from) throw invalidParam('collector', `range ${value} ends before it starts`);
  if (to >= count) throw invalidParam('collector', `collectors are 0-${count - 1}, got ${value}`);
  return all.slice(from, to + 1);
}

/** A batch of events of one collector, ready to send. */
export interface EventBatch {
  /** The events' bytes: `id: …` and `data: …` lines, each event ended by a blank line. */
  events: Buffer;
  /** Number of events. */
  count: number;
  /** Offset of the last event. */
  last: number;
}

/** Where a stream reads from: the backtrack items of a task, or the realtime hits of a business. */
export interface StreamSource {
  /**
   * Up to `limit` events of a collector from `offset` on, in offset order, or undefined when there are none yet.
   * Their posts are marked as consumed (de-duplication) before this returns, hence before they are sent: a post a
   * client has received is always marked, even if the emulator dies right after sending it.
   */
  take(collector: number, offset: number, limit: number, consumeTime: string): EventBatch | undefined;
  /**
   * Whether nothing more will come, asked right after reads found nothing (in the same event-loop turn, so that no
   * write can slip in between): true once a backtrack task is over; a realtime stream never ends.
   */
  exhausted(): boolean;
  /** Emits `wakeEvent` when new items may be readable. */
  readonly wakeups: EventEmitter;
  readonly wakeEvent: string;
  /** Whether a wake-up concerns this stream. */
  concerns(argument: unknown): boolean;
}

/** Options of {@link pumpStream}. */
export interface PumpOptions {
  source: StreamSource;
  collectors: readonly number[];
  startOffset: number;
  clock: Clock;
  /** The longest the stream stays silent: a heartbeat comment is sent after this long without a write, in ms. */
  heartbeatMs: number;
  /** Ends the stream when aborted (the module's state was reset: what the stream reads no longer exists). */
  ended?: AbortSignal;
}

/**
 * Sends the events of the selected collectors, interleaved, each collector from `startOffset` on, honouring
 * backpressure; sends a heartbeat comment after `heartbeatMs` without a write; returns when every collector is
 * exhausted, the client goes, or `ended` is aborted.
 */
export async function pumpStream(sink: StreamSink, options: PumpOptions): Promise<void> {
  const { source, clock, ended } = options;
  const next = new Map(options.collectors.map((c) => [c, options.startOffset]));
  const stopped = (): boolean => sink.signal.aborted || ended?.aborted === true;
  // Heartbeats are timed from the last write, in real time (the emulator's clock may be a manual one): a wake-up that
  // finds nothing to send must not put the next heartbeat off.
  let lastWrite = performance.now();
  const write = async (chunk: Uint8Array | string): Promise<boolean> => {
    const ok = await sink.write(chunk);
    lastWrite = performance.now();
    return ok && !stopped();
  };
  if (!(await write(': connected\n\n'))) return;
  while (!stopped()) {
    const consumeTime = formatInsightTime(clock.now());
    let sent = 0;
    for (const [collector, offset] of next) {
      const batch = source.take(collector, offset, STREAM_BATCH, consumeTime);
      if (batch === undefined) continue;
      next.set(collector, batch.last + 1);
      sent += batch.count;
      if (!(await write(batch.events))) return;
    }
    if (sent > 0) continue;
    if (source.exhausted()) return;
    const silentFor = performance.now() - lastWrite;
    if (silentFor >= options.heartbeatMs) {
      if (!(await write(': heartbeat\n\n'))) return;
      continue;
    }
    await waitForWake(source, [sink.signal, ended], options.heartbeatMs - silentFor);
  }
}

/** Resolves on a relevant wake-up, after `timeoutMs`, or when one of `signals` aborts. */
function waitForWake(
  source: StreamSource,
  signals: readonly (AbortSignal | undefined)[],
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      source.wakeups.off(source.wakeEvent, onWake);
      for (const signal of signals) signal?.removeEventListener('abort', finish);
      resolve();
    };
    const onWake = (argument: unknown): void => {
      if (source.concerns(argument)) finish();
    };
    const timer = setTimeout(finish, Math.max(1, Math.ceil(timeoutMs)));
    source.wakeups.on(source.wakeEvent, onWake);
    for (const signal of signals) {
      if (signal?.aborted) return finish();
      signal?.addEventListener('abort', finish, { once: true });
    }
  });
}

/**
 * The events of a batch of items, built by SQLite into one buffer: `items` is a query yielding `collector`,
 * `offset`, `status`, `doc` (the stored `item_doc` text) and `ready` (the formatted push-ready time), in offset order.
 * A public post's document gets the delivery times appended inside its object (its closing brace cut as bytes, an
 * O(1) operation on a BLOB); a deleted post's stub is sent as stored. Posts are never parsed, and no JavaScript string
 * is made per event: at a million events, decoding and re-encoding them would cost more than reading them.
 */
function eventsQuery(items: string): string {
  return `
    SELECT count(*) AS count, max(offset) AS last, CAST(group_concat(
      'id: ' || collector || ':' || offset || char(10) ||
      'data: {"collector":"' || collector || '","offset":' || offset ||
      ',"msg_id":"' || :prefix || collector || '-' || offset || '","item_doc":' ||
      CASE WHEN status = ${POST_STATUS.public}
        THEN substr(CAST(doc AS BLOB), 1, length(CAST(doc AS BLOB)) - 1) ||
          ',"push_ready_time":"' || ready || '","consume_time":"' || :consume || '"}'
        ELSE doc
      END || '}' || char(10, 10),
      '' ORDER BY offset) AS BLOB) AS events
    FROM (${items})`;
}

interface BatchRow {
  count: number;
  last: number | null;
  events: Buffer | null;
}

/** Runs the events and marks statements of a batch in one transaction. */
function takeBatch(
  store: Store,
  events: Statement<Record<string, unknown>, BatchRow>,
  marks: Statement<Record<string, unknown>>,
  parameters: Record<string, unknown>,
): EventBatch | undefined {
  return store.transaction(() => {
    const row = events.get(parameters);
    if (row === undefined || row.count === 0 || row.events === null || row.last === null) return undefined;
    marks.run({ ...parameters, last: row.last });
    return { events: row.events, count: row.count, last: row.last };
  });
}

/** A stream source over the items of a backtrack task. */
export function backtrackSource(
  store: Store,
  options: {
    biz: string;
    taskRowId: number;
    taskId: number;
    /** Collectors of the task: slot `s` is offset `⌊s / collectors⌋` of collector `s mod collectors`. */
    collectors: number;
    wakeups: EventEmitter;
    /** When the task started, formatted: every item became ready to push then. */
    pushReadyTime: string;
    /** Whether the task is over (finished or failed, or gone). */
    over(): boolean;
  },
): StreamSource {
  // The collector count is a trusted integer written into the SQL: a bound number would divide as a REAL.
  const c = options.collectors;
  // Items are read only while the task row is still the business's task: row ids start again after a reset.
  const events = store.prepare<Record<string, unknown>, BatchRow>(
    eventsQuery(`
      SELECT i.slot % ${c} AS collector, i.slot / ${c} AS offset, d.status, d.doc, :ready AS ready
      FROM insight_backtrack_items i JOIN insight_post_docs d ON d.seq = i.post_seq
      WHERE i.task = :task AND i.slot >= :from * ${c} + :collector AND i.slot % ${c} = :collector
        AND EXISTS (SELECT 1 FROM insight_backtrack_tasks t WHERE t.id = :task AND t.biz = :biz AND t.task_id = :taskId)
      ORDER BY i.slot LIMIT :limit`),
  );
  const marks = store.prepare<Record<string, unknown>>(
    `INSERT OR IGNORE INTO insight_marks (biz, post_seq)
     SELECT :biz, post_seq FROM insight_backtrack_items
     WHERE task = :task AND slot BETWEEN :from * ${c} + :collector AND :last * ${c} + :collector
       AND slot % ${c} = :collector`,
  );
  const fixed = {
    biz: options.biz,
    task: options.taskRowId,
    taskId: options.taskId,
    prefix: `bt-${options.taskId}-`,
    ready: options.pushReadyTime,
  };
  return {
    take: (collector, from, limit, consume) =>
      takeBatch(store, events, marks, { ...fixed, collector, from, limit, consume }),
    exhausted: options.over,
    wakeups: options.wakeups,
    wakeEvent: 'progress',
    concerns: (id) => id === options.taskRowId,
  };
}

/** What the realtime engine emits (event `hits`) after recording hits: the business and the collectors hit. */
export interface RealtimeHitsEvent {
  biz: string;
  collectors: ReadonlySet<number>;
}

/** A stream source over the realtime hits of a business, optionally only those of synchronous tasks. */
export function realtimeSource(
  store: Store,
  options: {
    biz: string;
    syncOnly: boolean;
    /** The collectors the stream reads: hits on others do not wake it. */
    collectors: readonly number[];
    wakeups: EventEmitter;
    oldest(): number;
  },
): StreamSource {
  // A realtime offset is the hit time: the post became ready to push then (`ready_time`, formatted at the hit).
  const events = store.prepare<Record<string, unknown>, BatchRow>(
    eventsQuery(`
      SELECT h.collector, h.offset, d.status, d.doc, h.ready_time AS ready
      FROM insight_realtime_hits h JOIN insight_post_docs d ON d.seq = h.post_seq
      WHERE h.biz = :biz AND h.collector = :collector AND h.offset >= :from AND h.sync >= :sync
      ORDER BY h.offset LIMIT :limit`),
  );
  const marks = store.prepare<Record<string, unknown>>(
    `INSERT OR IGNORE INTO insight_marks (biz, post_seq)
     SELECT :biz, post_seq FROM insight_realtime_hits
     WHERE biz = :biz AND collector = :collector AND offset BETWEEN :from AND :last AND sync >= :sync`,
  );
  const fixed = { biz: options.biz, sync: options.syncOnly ? 1 : 0, prefix: 'rt-' };
  return {
    take: (collector, offset, limit, consume) =>
      takeBatch(store, events, marks, {
        ...fixed,
        collector,
        from: Math.max(offset, options.oldest()),
        limit,
        consume,
      }),
    exhausted: () => false,
    wakeups: options.wakeups,
    wakeEvent: 'hits',
    concerns: (event) => {
      const hits = event as RealtimeHitsEvent;
      return hits.biz === options.biz && options.collectors.some((collector) => hits.collectors.has(collector));
    },
  };
}
