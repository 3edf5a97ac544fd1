import type { EventEmitter } from 'node:events';
import { formatInsightTime } from '@insight/protocol';
import type { Clock } from '../core/clock.js';
import type { StreamSink } from '../core/http.js';
import type { Store } from '../store/store.js';
import { invalidParam } from './errors.js';
import { deliveryDocText, type StoredDoc } from './item-doc.js';

/** Events read per collector and query: large enough for throughput, small enough to interleave collectors. */
export const STREAM_BATCH = 500;

/**
 * Characters of events gathered before one `write`: few large writes cost far less than one per collector read, and
 * the socket's buffer stays bounded (the sink waits for `drain` when it is full).
 */
export const STREAM_CHUNK_CHARS = 256 * 1024;

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

/** One event read from the store: where it sits, and the post it carries. */
interface StreamItem extends StoredDoc {
  offset: number;
  /** When the post became ready to push, epoch ms. */
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
  /**
   * Records that these posts are being sent (de-duplication marks). Called, and committed, before the write: a post
   * a client has received is always marked, even if the emulator dies right after sending it.
   */
  onSending(seqs: readonly number[]): void;
}

/**
 * Sends the events of the selected collectors, interleaved, each collector from `startOffset` on, honouring
 * backpressure; sends a heartbeat comment when idle; returns when every collector is exhausted or the client goes.
 */
export async function pumpStream(sink: StreamSink, options: PumpOptions): Promise<void> {
  const { source, clock } = options;
  const next = new Map(options.collectors.map((c) => [c, options.startOffset]));
  const pushReady = createTimeFormatter();
  if (!(await sink.write(': connected\n\n'))) return;
  while (!sink.signal.aborted) {
    const consumeTime = formatInsightTime(clock.now());
    let chunk = '';
    let seqs: number[] = [];
    let sent = 0;
    for (const [collector, offset] of next) {
      const items = source.read(collector, offset, STREAM_BATCH);
      if (items.length === 0) continue;
      const prefix = `${source.msgPrefix}-${collector}-`;
      for (const item of items) {
        const times = { pushReadyTime: pushReady(item.pushReadyTime), consumeTime };
        chunk +=
          `id: ${collector}:${item.offset}\ndata: {"collector":"${collector}","offset":${item.offset},` +
          `"msg_id":"${prefix}${item.offset}","item_doc":${deliveryDocText(item, times)}}\n\n`;
        seqs.push(item.seq);
      }
      next.set(collector, items[items.length - 1]!.offset + 1);
      sent += items.length;
      if (chunk.length >= STREAM_CHUNK_CHARS) {
        if (!(await flush(sink, options, chunk, seqs))) return;
        chunk = '';
        seqs = [];
      }
    }
    if (chunk !== '' && !(await flush(sink, options, chunk, seqs))) return;
    if (sent > 0) continue;
    if (source.exhausted()) return;
    const woke = await waitForWake(source, sink.signal, options.heartbeatMs);
    if (!woke && !(await sink.write(': heartbeat\n\n'))) return;
  }
}

/** Marks, then writes, a chunk of events; false once the client has gone. */
function flush(sink: StreamSink, options: PumpOptions, chunk: string, seqs: readonly number[]): Promise<boolean> {
  options.onSending(seqs);
  return sink.write(chunk);
}

/** `formatInsightTime` remembering its last answer: consecutive events mostly share their second. */
function createTimeFormatter(): (ms: number) => string {
  let second = Number.NaN;
  let text = '';
  return (ms) => {
    const at = Math.floor(ms / 1000);
    if (at !== second) {
      second = at;
      text = formatInsightTime(ms);
    }
    return text;
  };
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

type ItemRow = [offset: number, seq: number, status: number, doc: string];

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
  const statement = store
    .prepare<[number, number, number, number], ItemRow>(
      `SELECT i.offset, d.seq, d.status, d.doc FROM insight_backtrack_items i
       JOIN insight_post_docs d ON d.seq = i.post_seq
       WHERE i.task = ? AND i.collector = ? AND i.offset >= ? ORDER BY i.offset LIMIT ?`,
    )
    .raw(true);
  return {
    msgPrefix: `bt-${options.taskId}`,
    read(collector, offset, limit) {
      return statement
        .all(options.taskRowId, collector, offset, limit)
        .map(([itemOffset, seq, status, doc]) => ({
          offset: itemOffset,
          seq,
          status,
          doc,
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
  const statement = store
    .prepare<[string, number, number, number, number], ItemRow>(
      `SELECT h.offset, d.seq, d.status, d.doc FROM insight_realtime_hits h
       JOIN insight_post_docs d ON d.seq = h.post_seq
       WHERE h.biz = ? AND h.collector = ? AND h.offset >= ? AND h.sync >= ? ORDER BY h.offset LIMIT ?`,
    )
    .raw(true);
  return {
    msgPrefix: 'rt',
    read(collector, offset, limit) {
      const from = Math.max(offset, options.oldest());
      // A realtime offset is the hit time: the post became ready to push then.
      return statement
        .all(options.biz, collector, from, options.syncOnly ? 1 : 0, limit)
        .map(([itemOffset, seq, status, doc]) => ({ offset: itemOffset, seq, status, doc, pushReadyTime: itemOffset }));
    },
    exhausted: () => false,
    wakeups: options.wakeups,
    wakeEvent: 'hits',
    concerns: (biz) => biz === options.biz,
  };
}
