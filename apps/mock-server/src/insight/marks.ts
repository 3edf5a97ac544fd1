import type { Store } from '../store/store.js';

/** The posts a business has consumed or been hit with, as one bit per row sequence: 1M posts fit in 125 KB. */
export interface MarkSet {
  has(seq: number): boolean;
}

/** De-duplication marks: posts a business consumed (streamed to it) or that its realtime tasks hit. */
export interface Marks {
  /** Records marks in one transaction (idempotent). */
  record(biz: string, seqs: readonly number[]): void;
  /** The business's marks as they are now, loaded with one query. */
  snapshot(biz: string): MarkSet;
}

/** Creates the marks repository over the store. */
export function createMarks(store: Store): Marks {
  const insert = store.prepare<[string, number]>('INSERT OR IGNORE INTO insight_marks (biz, post_seq) VALUES (?, ?)');
  const all = store.prepare<[string], number>('SELECT post_seq FROM insight_marks WHERE biz = ?').pluck();
  return {
    record(biz, seqs) {
      if (seqs.length === 0) return;
      store.transaction(() => {
        for (const seq of seqs) insert.run(biz, seq);
      });
    },
    snapshot(biz) {
      const seqs = all.all(biz) as number[];
      let max = 0;
      for (const seq of seqs) if (seq > max) max = seq;
      const bits = new Uint32Array((max >>> 5) + 1);
      for (const seq of seqs) bits[seq >>> 5]! |= 1 << (seq & 31);
      return { has: (seq) => seq <= max && (bits[seq >>> 5]! & (1 << (seq & 31))) !== 0 };
    },
  };
}
