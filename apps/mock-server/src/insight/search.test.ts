import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/clock.js';
import { createStore } from '../store/store.js';
import { generateCorpus } from './corpus.js';
import { createPostStore } from './post-store.js';
import { INSIGHT_MIGRATIONS } from './schema.js';
import { createSearchService } from './search.js';

const NOW = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

describe('search', () => {
  it('gives the event loop turns while it scans a large store, and finds what a single pass finds', async () => {
    const store = createStore(':memory:');
    store.migrate('insight', INSIGHT_MIGRATIONS);
    const posts = createPostStore(store.db);
    posts.upsert(generateCorpus({ size: 30_000, seed: 3, days: 30, end: NOW }));
    const service = createSearchService(store, createManualClock(NOW), posts);

    // A rule nothing matches scans every post in the window, in several batches.
    let turns = 0;
    let searching = true;
    const counting = (async () => {
      while (searching) {
        await nextTurn();
        turns++;
      }
    })();
    const query = { fields: ['title' as const], start: NOW - 31 * DAY, end: NOW };
    const none = await service.search('biz', { ...query, rule: ['in', 'no such words anywhere', { f: 'title' }] });
    searching = false;
    await counting;
    expect(turns).toBeGreaterThanOrEqual(5);
    expect(service.page('biz', none, 1, 10)).toMatchObject({ count: 0, posts: [] });

    // What a single SQL pass over the same posts counts.
    const common = await service.search('biz', { ...query, rule: ['in', '的', { f: 'title' }] });
    const expected = store.db
      .prepare("SELECT count(*) AS n FROM insight_posts WHERE status = 1 AND instr(title, '的') > 0")
      .get() as { n: number };
    expect(expected.n).toBeGreaterThan(0);
    expect(service.page('biz', common, 1, 1)?.count).toBe(Math.min(expected.n, 10_000));

    // A reset during the scan: the rows found so far would name other posts afterwards, so no snapshot is kept.
    const reset = new AbortController();
    const snapshots = () =>
      (store.db.prepare('SELECT count(*) AS n FROM insight_search_snapshots').get() as { n: number }).n;
    const before = snapshots();
    const spanning = service.search('biz', { ...query, rule: ['in', '的', { f: 'title' }] }, reset.signal);
    await nextTurn();
    reset.abort();
    await expect(spanning).rejects.toThrow(/^\[40008\]disconnected: the emulator was reset during the search$/);
    expect(snapshots()).toBe(before);
    store.close();
  });
});
