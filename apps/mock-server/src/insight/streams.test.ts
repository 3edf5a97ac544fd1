import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/clock.js';
import { fnv1a } from '../core/random.js';
import { createStore } from '../store/store.js';
import { createMarks } from './marks.js';
import type { InsightPost } from './post.js';
import { createPostStore } from './post-store.js';
import { createRealtimeEngine } from './realtime.js';
import { INSIGHT_MIGRATIONS } from './schema.js';
import { backtrackSource, type RealtimeHitsEvent, realtimeSource } from './streams.js';

const NOW = Date.UTC(2025, 5, 1);
const COLLECTORS = 10;

function post(postId: string, title: string): InsightPost {
  return { postId, originId: `o${postId}`, status: 1, publishTime: NOW, createTime: NOW, updateTime: NOW, title };
}

function open() {
  const store = createStore(':memory:');
  store.migrate('insight', INSIGHT_MIGRATIONS);
  return { store, posts: createPostStore(store.db) };
}

describe('realtime wake-ups', () => {
  it('name the business and the collectors hit, and wake only the streams reading one of them', () => {
    const { store, posts } = open();
    const engine = createRealtimeEngine({
      store,
      clock: createManualClock(NOW),
      posts,
      marks: createMarks(store),
      collectors: COLLECTORS,
      firehoseRate: 0,
      seed: 1,
    });
    engine.create('biz', ['in', 'coffee', { f: 'title' }], false);
    const events: RealtimeHitsEvent[] = [];
    engine.events.on('hits', (event: RealtimeHitsEvent) => events.push(event));
    expect(engine.publish([post('a', 'coffee a'), post('b', 'coffee b'), post('c', 'tea c')])).toBe(2);
    const hit = new Set([fnv1a('a') % COLLECTORS, fnv1a('b') % COLLECTORS]);
    expect(events).toEqual([{ biz: 'biz', collectors: hit }]);

    const reading = (biz: string, collectors: number[]) =>
      realtimeSource(store, { biz, syncOnly: false, collectors, wakeups: engine.events, oldest: () => 0 });
    const quiet = Array.from({ length: COLLECTORS }, (_, c) => c).filter((c) => !hit.has(c));
    expect(reading('biz', quiet).concerns(events[0])).toBe(false);
    expect(reading('biz', [...quiet, [...hit][0]!]).concerns(events[0])).toBe(true);
    expect(reading('other', [...hit]).concerns(events[0])).toBe(false);
  });
});

describe('backtrack stream source', () => {
  it('reads the items of a task row only while it is the task of that business', () => {
    const { store, posts } = open();
    const seq = posts.put(post('a', 'coffee a'));
    store
      .prepare(
        `INSERT INTO insight_backtrack_tasks (id, biz, task_id, rule, start_time, end_time, de_duplicate, task_limit,
           status, created_at) VALUES (1, 'other', 1, '[]', 0, 0, 0, 10, 'finished', 0)`,
      )
      .run();
    store.prepare('INSERT INTO insight_backtrack_items (task, slot, post_seq) VALUES (1, 0, ?)').run(seq);
    const source = (biz: string, taskId: number) =>
      backtrackSource(store, {
        biz,
        taskRowId: 1,
        taskId,
        collectors: 20,
        wakeups: new EventEmitter(),
        pushReadyTime: '2025-06-01 00:00:00',
        over: () => true,
      });
    expect(source('other', 1).take(0, 0, 10, '2025-06-01 00:00:00')?.count).toBe(1);
    expect(source('biz', 1).take(0, 0, 10, '2025-06-01 00:00:00')).toBeUndefined();
    expect(source('other', 2).take(0, 0, 10, '2025-06-01 00:00:00')).toBeUndefined();
    // Nothing was sent to `biz`: nothing is marked for it.
    expect(store.prepare("SELECT count(*) FROM insight_marks WHERE biz = 'biz'").pluck().get()).toBe(0);
  });
});
