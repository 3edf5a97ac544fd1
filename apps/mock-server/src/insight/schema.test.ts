import { describe, expect, it } from 'vitest';
import { createStore } from '../store/store.js';
import { createMarks } from './marks.js';
import { INSIGHT_MIGRATIONS } from './schema.js';

describe('insight migrations', () => {
  it('gives existing marks an insertion sequence, and running de-duplicating tasks the marks as they are', () => {
    const store = createStore(':memory:');
    store.migrate('insight', INSIGHT_MIGRATIONS.slice(0, 1));
    const mark = store.prepare('INSERT INTO insight_marks (biz, post_seq) VALUES (?, ?)');
    mark.run('biz', 5);
    mark.run('biz', 3);
    mark.run('other', 7);
    const task = store.prepare(
      `INSERT INTO insight_backtrack_tasks (biz, task_id, rule, start_time, end_time, de_duplicate, task_limit, status,
         created_at, started_at) VALUES ('biz', ?, '[]', 0, 0, ?, 10, ?, 0, ?)`,
    );
    task.run(1, 1, 'running', 0);
    task.run(2, 1, 'waiting', null);
    task.run(3, 0, 'running', 0);
    task.run(4, 1, 'finished', 0);

    store.migrate('insight', INSIGHT_MIGRATIONS);
    expect(store.prepare('SELECT biz, post_seq FROM insight_marks ORDER BY biz, post_seq').all()).toEqual([
      { biz: 'biz', post_seq: 3 },
      { biz: 'biz', post_seq: 5 },
      { biz: 'other', post_seq: 7 },
    ]);
    expect(store.prepare('SELECT task_id, marks_upto FROM insight_backtrack_tasks ORDER BY task_id').all()).toEqual([
      { task_id: 1, marks_upto: 3 },
      { task_id: 2, marks_upto: null },
      { task_id: 3, marks_upto: null },
      { task_id: 4, marks_upto: null },
    ]);

    // Marks recorded from now on are above the high-water mark; recording one again changes nothing.
    const marks = createMarks(store);
    const highWater = marks.highWater();
    expect(highWater).toBe(3);
    marks.record('biz', [5, 9]);
    expect(marks.highWater()).toBe(4);
    const upTo = marks.snapshot('biz', highWater);
    expect([3, 5, 9].map((seq) => upTo.has(seq))).toEqual([true, true, false]);
    const now = marks.snapshot('biz');
    expect([3, 5, 9, 7].map((seq) => now.has(seq))).toEqual([true, true, true, false]);
  });
});
