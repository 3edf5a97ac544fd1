import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { INSIGHT_LIMITS } from '@insight/protocol';
import type { Rule, RuleField } from '@insight/rules';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { insightFailure } from './errors.js';
import { createRowMatcher } from './matcher.js';
import type { StoredDoc } from './item-doc.js';
import { POST_STATUS } from './post.js';
import { cursorAfter, type PostStore, scanStart, windowEnd } from './post-store.js';

/** How long a search snapshot can be paged through, in ms. */
export const SEARCH_SNAPSHOT_TTL_MS = 3_600_000;

/** Snapshots a business keeps: a new search evicts its oldest snapshot beyond this many. */
export const SEARCH_SNAPSHOTS_PER_BIZ = 100;

/** One page of a search. */
export interface SearchPage {
  snapshotId: string;
  /** Matching posts, capped at 10 000. */
  count: number;
  posts: StoredDoc[];
}

/** Search over the stored posts with snapshot pagination. */
export interface SearchService {
  /**
   * Runs a search (newest first, at most 10 000 posts kept in a snapshot) over the whole seconds `start` to `end`,
   * and returns the id of its snapshot. Expired snapshots are purged, and the business's oldest beyond
   * {@link SEARCH_SNAPSHOTS_PER_BIZ}. The scan gives the event loop a turn between batches of posts, so that a search
   * over a large store does not hold up the streams and calls of other clients.
   */
  search(
    biz: string,
    query: { rule: Rule; fields: readonly RuleField[]; start: number; end: number },
    /** Aborted when the module's state is reset: a search that spans it answers `[40008]` and keeps no snapshot. */
    ended?: AbortSignal,
  ): Promise<string>;
  /** A page of a snapshot, or undefined when the snapshot is unknown, expired, evicted or another business's. */
  page(biz: string, snapshotId: string, pageNumber: number, pageSize: number): SearchPage | undefined;
}

/** Creates the search service. */
export function createSearchService(store: Store, clock: Clock, posts: PostStore): SearchService {
  const cap = INSIGHT_LIMITS.searchCountCap;
  return {
    async search(biz, query, ended) {
      const matcher = createRowMatcher(query.rule, query.fields);
      const found: number[] = [];
      let cursor = scanStart(windowEnd(query.end));
      while (found.length < cap) {
        const batch = posts.scan(query.start, cursor, 5_000, matcher.columns);
        for (const row of batch) {
          if (row[2] === POST_STATUS.public && matcher.match(row)) found.push(row[0] as number);
          if (found.length === cap) break;
        }
        if (batch.length < 5_000) break;
        cursor = cursorAfter(batch[batch.length - 1]!);
        await nextTurn();
        // The rows found so far name posts of a store that a reset emptied: their numbers now belong to others.
        if (ended?.aborted) throw insightFailure(40008, 'the emulator was reset during the search');
      }
      const id = randomUUID();
      const now = clock.now();
      store.transaction(() => {
        store.prepare('DELETE FROM insight_search_snapshots WHERE created_at < ?').run(now - SEARCH_SNAPSHOT_TTL_MS);
        store
          .prepare(
            'INSERT INTO insight_search_snapshots (id, biz, created_at, total, post_seqs) VALUES (?, ?, ?, ?, ?)',
          )
          .run(id, biz, now, found.length, JSON.stringify(found));
        // Newest first by insertion (the rowid), which a clock set back cannot reorder.
        store
          .prepare(
            `DELETE FROM insight_search_snapshots WHERE biz = ? AND rowid NOT IN
               (SELECT rowid FROM insight_search_snapshots WHERE biz = ? ORDER BY rowid DESC LIMIT ?)`,
          )
          .run(biz, biz, SEARCH_SNAPSHOTS_PER_BIZ);
      });
      return id;
    },
    page(biz, snapshotId, pageNumber, pageSize) {
      const row = store
        .prepare<[string, string, number], { total: number; post_seqs: string }>(
          'SELECT total, post_seqs FROM insight_search_snapshots WHERE id = ? AND biz = ? AND created_at >= ?',
        )
        .get(snapshotId, biz, clock.now() - SEARCH_SNAPSHOT_TTL_MS);
      if (row === undefined) return undefined;
      const seqs = (JSON.parse(row.post_seqs) as number[]).slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      return { snapshotId, count: row.total, posts: posts.bySeqs(seqs) };
    },
  };
}
