import type { EventEmitter } from 'node:events';
import { formatInsightTime } from '@insight/protocol';
import type { Clock } from '../core/clock.js';
import type { StreamSink } from '../core/http.js';
import type { Store } from '../store/store.js';
import { invalidParam } from './errors.js';
import { toItemDoc } from './item-doc.js';
import { POST_COLUMNS_P, type PostRow, rowToPost, type StoredPost } from './post-store.js';

type ItemRow = PostRow & { item_offset: number };

/** Events read per collector and query: large enough for throughput, small enough to interleave collectors. */
export const STREAM_BATCH = 1_000;

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

/** One event read from the store. */
interface StreamItem {
  collector: number;
  offset: number;
  post: StoredPost;
  pushReadyTime: number;
}

/** Where a stream reads from: the backtrack items of a task, or the realtime hits of a business. */
export interface StreamSource {
  /** Prefix of `msg_id`, e.g. `bt-7` or `rt`. */
  readonly msgPrefix: string;
  /** Up to `limit` items of a collector from `offset` on, in offset order. */
  read(collector: number, offset: number, limit: number): StreamItem[];
  /**
   * Whether nothing more will come, asked right after reads found nothing (in the same event-loop turn, so that no
   * write can slip in between): true once a backtrack task is over; a realtime stream never ends.
   */
  exhausted(): boolean;
  /** Emits `wake` when new items may be readable. */
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
  heartbeatMs: number;
  /** Records that these posts were sent (de-duplication marks). */
  onSent(seqs: readonly number[]): void;
}

/**
 * Sends the events of the selected collectors, interleaved, each collector from `startOffset` on, honouring
 * backpressure; sends a heartbeat comment when idle; returns when every collector is exhausted or the client goes.
 */
export async function pumpStream(sink: StreamSink, options: PumpOptions): Promise<void> {
  const { source, clock } = options;
  const next = new Map(options.collectors.map((c) => [c, options.startOffset]));
  if (!(await sink.write(': connected\n\n'))) return;
  while (!sink.signal.aborted) {
    let sent = 0;
    for (const [collector, offset] of next) {
      const items = source.read(collector, offset, STREAM_BATCH);
      if (items.length === 0) continue;
      const consumeTime = formatInsightTime(clock.now());
      let chunk = '';
      for (const item of items) {
        const data = JSON.stringify({
          collector: String(item.collector),
          offset: item.offset,
          msg_id: `${source.msgPrefix}-${item.collector}-${item.offset}`,
          item_doc: toItemDoc(item.post, { pushReadyTime: formatInsightTime(item.pushReadyTime), consumeTime }),
        });
        chunk += `id: ${item.collector}:${item.offset}\ndata: ${data}\n\n`;
      }
      if (!(await sink.write(chunk))) return;
      options.onSent(items.map((item) => item.post.seq));
      next.set(collector, items[items.length - 1]!.offset + 1);
      sent += items.length;
    }
    if (sent > 0) continue;
    if (source.exhausted()) return;
    const woke = await waitForWake(source, sink.signal, options.heartbeatMs);
    if (!woke && !(await sink.write(': heartbeat\n\n'))) return;
  }
}

/** Resolves true on a relevant wake-up, false after `timeoutMs` or when the client goes. */
function waitForWake(source: StreamSource, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (woke: boolean): void => {
      clearTimeout(timer);
      source.wakeups.off(source.wakeEvent, onWake);
      signal.removeEventListener('abort', onAbort);
      resolve(woke);
    };
    const onWake = (argument: unknown): void => {
      if (source.concerns(argument)) finish(true);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    source.wakeups.on(source.wakeEvent, onWake);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A stream source over the items of a backtrack task. */
export function backtrackSource(
  store: Store,
  options: {
    taskRowId: number;
    taskId: number;
    wakeups: EventEmitter;
    pushReadyTime: number;
    /** Whether the task is over (finished or failed). */
    over(): boolean;
  },
): StreamSource {
  const statement = store.prepare<[number, number, number, number], ItemRow>(
    `SELECT i.offset AS item_offset, ${POST_COLUMNS_P} FROM insight_backtrack_items i
     JOIN insight_posts p ON p.seq = i.post_seq
     WHERE i.task = ? AND i.collector = ? AND i.offset >= ? ORDER BY i.offset LIMIT ?`,
  );
  return {
    msgPrefix: `bt-${options.taskId}`,
    read(collector, offset, limit) {
      return statement.all(options.taskRowId, collector, offset, limit).map((row) => ({
        collector,
        offset: row.item_offset,
        post: rowToPost(row),
        pushReadyTime: options.pushReadyTime,
      }));
    },
    exhausted: options.over,
    wakeups: options.wakeups,
    wakeEvent: 'progress',
    concerns: (id) => id === options.taskRowId,
  };
}

/** A stream source over the realtime hits of a business, optionally only those of synchronous tasks. */
export function realtimeSource(
  store: Store,
  options: { biz: string; syncOnly: boolean; wakeups: EventEmitter; oldest(): number },
): StreamSource {
  const statement = store.prepare<[string, number, number, number, number], ItemRow>(
    `SELECT h.offset AS item_offset, ${POST_COLUMNS_P} FROM insight_realtime_hits h
     JOIN insight_posts p ON p.seq = h.post_seq
     WHERE h.biz = ? AND h.collector = ? AND h.offset >= ? AND h.sync >= ? ORDER BY h.offset LIMIT ?`,
  );
  return {
    msgPrefix: 'rt',
    read(collector, offset, limit) {
      const from = Math.max(offset, options.oldest());
      return statement.all(options.biz, collector, from, options.syncOnly ? 1 : 0, limit).map((row) => ({
        collector,
        offset: row.item_offset,
        post: rowToPost(row),
        pushReadyTime: row.item_offset,
      }));
    },
    exhausted: () => false,
    wakeups: options.wakeups,
    wakeEvent: 'hits',
    concerns: (biz) => biz === options.biz,
  };
}
