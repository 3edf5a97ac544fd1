import type { Store } from '../store/store.js';

/** The posts a business has consumed or been hit with, as one bit per row sequence: 1M posts fit in 125 KB. */
export interface MarkSet {
  has(seq: number): boolean;
}

/** De-duplication marks: posts a business consumed (streamed to it) or that its realtime tasks hit. */
export interface Marks {
  /** Records marks in one transaction (idempotent). */
  record(biz: string, seqs: readonly number[]): void;
  /**
   * The high-water mark of the marks recorded so far (of every business): a mark recorded later is above it. A
   * snapshot taken with it now and one taken with it after a restart hold the same marks.
   */
  highWater(): number;
  /** The business's marks as they are now, or only those up to a {@link Marks.highWater}, loaded with one query. */
  snapshot(biz: string, upTo?: number): MarkSet;
}

/** Creates the marks repository over the store. */
export function createMarks(store: Store): Marks {
  const insert = store.prepare<[string, number]>('INSERT OR IGNORE INTO insight_marks (biz, post_seq) VALUES (?, ?)');
  const upTo = store
    .prepare<[string, number], number>('SELECT post_seq FROM insight_marks WHERE biz = ? AND id <= ?')
    .pluck();
  const highWater = store.prepare<[], number>('SELECT coalesce(max(id), 0) FROM insight_marks').pluck();
  return {
    record(biz, seqs) {
      if (seqs.length === 0) return;
      store.transaction(() => {
        for (const seq of seqs) insert.run(biz, seq);
      });
    },
    highWater() {
      return highWater.get() as number;
    },
    snapshot(biz, limit = Number.MAX_SAFE_INTEGER) {
      const seqs = upTo.all(biz, limit) as number[];
      let max = 0;
      for (const seq of seqs) if (seq > max) max = seq;
      const bits = new Uint32Array((max >>> 5) + 1);
      for (const seq of seqs) bits[seq >>> 5]! |= 1 << (seq & 31);
      return { has: (seq) => seq <= max && (bits[seq >>> 5]! & (1 << (seq & 31))) !== 0 };
    },
  };
}
