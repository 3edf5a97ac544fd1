import { validateRule } from '@insight/rules';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/clock.js';
import { createStore } from '../store/store.js';
import { createBacktrackEngine } from './backtrack.js';
import { generateCorpus } from './corpus.js';
import { createMarks } from './marks.js';
import { createRowMatcher } from './matcher.js';
import { POST_STATUS } from './post.js';
import { createPostStore, scanStart } from './post-store.js';
import { INSIGHT_MIGRATIONS } from './schema.js';

const END = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

describe('backtrack preview', () => {
  // 60 000 posts: above the 50 000 a preview counts exactly, so the large window is sampled.
  const store = createStore(':memory:');
  store.migrate('insight', INSIGHT_MIGRATIONS);
  const posts = createPostStore(store.db);
  posts.upsert(generateCorpus({ seed: 11, size: 60_000, end: END, days: 60 }));
  const engine = createBacktrackEngine({
    store,
    clock: createManualClock(END),
    posts,
    marks: createMarks(store),
    collectors: 20,
    log: () => {},
  });
  const checked = validateRule(['or', ['in', '咖啡', { fl: ['title', 'asr'] }], ['in', 'hiking', { f: 'title' }]], {
    kind: 'backtrack',
  });
  if (!checked.ok) throw new Error('test rule');
  const { rule } = checked;

  /** The exact count, by matching every post of the window. */
  function exact(startTime: number, endTime: number): number {
    const matcher = createRowMatcher(rule, checked.ok ? checked.stats.fields : []);
    let count = 0;
    for (const post of posts.scan(startTime, scanStart(endTime), 100_000, matcher.columns)) {
      if (post[2] === POST_STATUS.public && matcher.match(post)) count++;
    }
    return count;
  }

  it('counts exactly in a window of at most 50 000 posts', () => {
    const window = { startTime: END - 20 * DAY, endTime: END };
    const expected = exact(window.startTime, window.endTime);
    expect(expected).toBeGreaterThan(200);
    expect(engine.preview('biz', { rule, ...window, deDuplicate: false })).toBe(expected);
  });

  it('estimates a larger window within a few percent from a sample', () => {
    const window = { startTime: END - 60 * DAY, endTime: END };
    const expected = exact(window.startTime, window.endTime);
    const estimate = engine.preview('biz', { rule, ...window, deDuplicate: false });
    expect(Math.abs(estimate - expected) / expected).toBeLessThan(0.05);
  });

  it('leaves out the posts the business already consumed', () => {
    const window = { startTime: END - DAY, endTime: END };
    const before = engine.preview('biz', { rule, ...window, deDuplicate: true });
    const matcher = createRowMatcher(rule, checked.ok ? checked.stats.fields : []);
    const consumed = posts
      .scan(window.startTime, scanStart(window.endTime), 100_000, matcher.columns)
      .filter((post) => post[2] === POST_STATUS.public && matcher.match(post))
      .slice(0, 10)
      .map((post) => post[0] as number);
    createMarks(store).record('biz', consumed);
    expect(engine.preview('biz', { rule, ...window, deDuplicate: true })).toBe(before - 10);
    expect(engine.preview('biz', { rule, ...window, deDuplicate: false })).toBe(before);
    expect(engine.preview('other', { rule, ...window, deDuplicate: true })).toBe(before);
  });
});
