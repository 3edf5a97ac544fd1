import { INSIGHT_LIMITS } from '@insight/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { fnv1a } from '../src/core/random.js';
import { BIZ, doc, type Harness, type Json, SECRET, startInsight } from './support/insight.js';

const DAY = 86_400_000;
const COFFEE = ['in', 'coffee', { f: 'title' }];

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Post ids the realtime engine places in another collector than `collector`. */
function idsOutside(collector: number, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `elsewhere-${i}`;
    if (fnv1a(id) % INSIGHT_LIMITS.realtimeCollectors !== collector) ids.push(id);
  }
  return ids;
}

const heartbeats = (comments: string[]): number => comments.filter((comment) => comment === 'heartbeat').length;

describe('heartbeats', () => {
  it('reach a quiet stream while the business has hits it does not send', async () => {
    h = await startInsight({ heartbeatMs: 150 });
    // An asynchronous task: its hits are for collectors other than 3, and never for a sync_only stream.
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    const ids = idsOutside(3, 200);
    let next = 0;
    // Every publication is awaited before the test ends: one still in flight when the emulator closes would fail.
    const published: Promise<unknown>[] = [];
    const publishing = setInterval(() => {
      if (next < ids.length) published.push(h.seed({ live: [doc(ids[next++]!, 'coffee elsewhere', 0)] }));
    }, 20);
    try {
      const [collector3, syncOnly] = await Promise.all([
        h.stream('/openapi/item/sse/stream', { collector: '3' }, { timeoutMs: 1_500 }),
        h.stream('/openapi/item/sse/stream', { sync_only: 'true' }, { timeoutMs: 1_500 }),
      ]);
      expect(next).toBeGreaterThan(10);
      expect(collector3.events).toEqual([]);
      expect(heartbeats(collector3.comments)).toBeGreaterThanOrEqual(2);
      expect(syncOnly.events).toEqual([]);
      expect(heartbeats(syncOnly.comments)).toBeGreaterThanOrEqual(2);
    } finally {
      clearInterval(publishing);
      await Promise.all(published);
    }
  });
});

describe('a reset', () => {
  const OTHER = { bizName: 'other-biz', secret: 'other-secret' };
  const accounts = [{ bizName: BIZ, secret: SECRET }, OTHER];
  const window = () => ({ start_time: h.time(-89 * DAY), end_time: h.time() });
  const info = (taskId: number) => h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: taskId } });

  it('forgets the backtrack runs in progress: a task created after it runs its own rule', async () => {
    // Slices of one post: the task is still running when the reset comes.
    h = await startInsight({ corpus: { size: 10_000 }, backtrackSlicePosts: 1 });
    const before = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: ['in', '咖啡', { f: 'title' }], ...window(), de_duplicate: false },
    });
    expect(before.body.data.task_id).toBe(1);
    const running = await h.until(
      () => info(1),
      (answer) => answer.body.data.task_cur_max_offset >= 0,
    );
    expect(running.body.data.task_status).toBe('running');
    expect((await h.reset()).http).toBe(200);

    const hotpot = { rule: ['in', '火锅', { f: 'title' }], ...window(), de_duplicate: false };
    const after = await h.call('POST', '/openapi/backtrack/create_task', { body: hotpot });
    expect(after.body.data.task_id).toBe(1);
    await h.until(
      () => info(1),
      (answer) => answer.body.data.task_status === 'finished',
      60_000,
    );
    const expected = (await h.call('GET', '/openapi/backtrack/preview_task', { body: hotpot })).body.data.count;
    const run = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: 1 }, { timeoutMs: 10_000 });
    expect(run.ended).toBe(true);
    const titles = run.events.map((e) => e.data.item_doc.title as string);
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.filter((title) => !title.includes('火锅'))).toEqual([]);
    expect(titles).toHaveLength(expected);
  });

  it('ends the streams opened before it: they never read what is created after it', async () => {
    h = await startInsight({ corpus: { size: 10_000 }, backtrackSlicePosts: 1, accounts });
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    const created = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: ['in', '咖啡', { f: 'title' }], ...window(), de_duplicate: false },
    });
    expect(created.body.data.task_id).toBe(1);
    const backtrack = h.stream(
      '/openapi/item/sse/backtrack/stream',
      { task_id: 1, collector: '0' },
      { timeoutMs: 5_000 },
    );
    const realtime = h.stream('/openapi/item/sse/stream', {}, { timeoutMs: 5_000 });
    const running = await h.until(
      () => info(1),
      (answer) => answer.body.data.task_cur_max_offset >= 0,
    );
    expect(running.body.data.task_status).toBe('running');
    await h.reset();

    // Another business's first task takes the same row: the open stream of task 1 must not send its posts.
    const token = await h.call('GET', '/oauth/access_token', {
      headers: { 'X-Insight-Biz-Name': OTHER.bizName, 'X-Insight-Biz-Secret': OTHER.secret },
    });
    const headers = { 'X-Insight-Biz-Name': OTHER.bizName, 'X-Insight-Access-Token': token.body.data.access_token };
    const other = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: ['in', '火锅', { f: 'title' }], ...window(), de_duplicate: false },
      headers,
    });
    expect(other.body.data.task_id).toBe(1);

    const [backtrackRead, realtimeRead] = await Promise.all([backtrack, realtime]);
    expect(backtrackRead.ended).toBe(true);
    expect(backtrackRead.events.filter((e: Json) => !String(e.data.item_doc.title).includes('咖啡'))).toEqual([]);
    expect(realtimeRead.ended).toBe(true);
  });
});
