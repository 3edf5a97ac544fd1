import { INSIGHT_LIMITS } from '@insight/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { doc, type Harness, startInsight } from './support/insight.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const COFFEE = ['in', 'coffee', { f: 'title' }];

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const leaves = (count: number) => ['or', ...Array.from({ length: count }, (_, i) => ['in', `kw${i}`, { f: 'title' }])];
const values = (count: number) => ['in_list', { f: 'poi_city_name' }, Array.from({ length: count }, (_, i) => `v${i}`)];

/** Expects HTTP 400 `[40004]invalid param: <path>: …`. */
function expectInvalid(answer: { http: number; body?: { status: number; message: string } }, path: string): void {
  expect(answer.http).toBe(400);
  expect(answer.body?.status).toBe(40004);
  expect(answer.body?.message.startsWith(`[40004]invalid param: ${path}`)).toBe(true);
}

describe('documented limits at their edges', () => {
  it('accepts rules at the depth and node limits of each task kind and refuses one beyond', async () => {
    h = await startInsight();
    const backtrack = (rule: unknown) =>
      h.call('GET', '/openapi/backtrack/preview_task', {
        body: { rule, start_time: h.time(-DAY), end_time: h.time() },
      });
    const realtime = (rule: unknown) => h.call('POST', '/openapi/biz_sub/create_task', { body: { rule } });

    expect((await backtrack(['and', ['or', ['or', COFFEE]]])).body.status).toBe(0);
    expectInvalid(await backtrack(['and', ['or', ['or', ['and', COFFEE]]]]), 'rule');
    expect((await backtrack(leaves(200))).body.status).toBe(0);
    expectInvalid(await backtrack(leaves(201)), 'rule');
    expect((await backtrack(values(200))).body.status).toBe(0);
    expectInvalid(await backtrack(values(201)), 'rule');
    expect((await realtime(values(10_000))).body.status).toBe(0);
    expectInvalid(await realtime(values(10_001)), 'rule');
    const sensitive = await realtime(['in', '买毒品', { f: 'title' }]);
    expectInvalid(sensitive, 'rule');
    expect(sensitive.body.message).toContain('毒品');
  });

  it('checks at most 100 sensitive words of at most 10 characters', async () => {
    h = await startInsight();
    const check = (words: unknown) => h.call('GET', '/openapi/biz_sub/sensitive_words_check', { body: { words } });
    const hundred = Array.from({ length: 100 }, (_, i) => `词${i}`);
    expect((await check(hundred)).body.data).toEqual({ hit_words: [], invalid_words: [] });
    expectInvalid(await check([...hundred, 'one more']), 'words');
    expect((await check(['赌博赌博赌博赌博赌博'])).body.data.hit_words).toEqual(['赌博赌博赌博赌博赌博']);
    expectInvalid(await check(['赌博赌博赌博赌博赌博赌']), 'words.0');
    expectInvalid(await check([]), 'words');
  });

  it('answers [40009] for a backtrack limit over the hit post count limit, the cap of a task without limit', async () => {
    h = await startInsight();
    const cap = INSIGHT_LIMITS.backtrackHitLimit;
    const create = (limit?: number) =>
      h.call('POST', '/openapi/backtrack/create_task', {
        body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit },
      });
    expect((await create(cap)).body.status).toBe(0);
    const over = await create(cap + 1);
    expect(over.http).toBe(400);
    expect(over.body).toEqual({
      status: 40009,
      message: `[40009]reached hit post count limit: limit: ${cap + 1} is over the ${cap} posts a task may retrieve`,
    });
    await h.seed({ posts: [doc('a', 'coffee a', HOUR), doc('b', 'coffee b', 2 * HOUR), doc('c', 'tea', HOUR)] });
    const unlimited = await create();
    expect(unlimited.body.status).toBe(0);
    const info = await h.until(
      () => h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: unlimited.body.data.task_id } }),
      (answer) => answer.body.data.task_status === 'finished',
    );
    expect(info.body.data).toMatchObject({ limit: cap, task_cur_max_offset: 0 });
    expect(Object.values(info.body.data.collector_cur_max_offset).filter((offset) => offset === 0)).toHaveLength(2);
  });

  it('caps a search at 10 000 posts, in pages of at most 100', async () => {
    h = await startInsight();
    await h.seed({ posts: Array.from({ length: 10_050 }, (_, i) => doc(`s${i}`, `coffee ${i}`, i * 1000 + 1000)) });
    const window = { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time() };
    const first = await h.call('POST', '/openapi/item/search', { body: { ...window, page_size: 100, page_number: 1 } });
    expect(first.body.data.count).toBe(10_000);
    expect(first.body.data.items).toHaveLength(100);
    const snapshot = { ...window, page_size: 100, snapshot_id: first.body.data.snapshot_id };
    const last = await h.call('POST', '/openapi/item/search', { body: { ...snapshot, page_number: 100 } });
    expect(last.body.data.items.map((d: { post_id: string }) => d.post_id).at(-1)).toBe('s9999');
    const past = await h.call('POST', '/openapi/item/search', { body: { ...snapshot, page_number: 101 } });
    expect(past.body.data).toMatchObject({ items: [], count: 10_000 });
    expectInvalid(
      await h.call('POST', '/openapi/item/search', { body: { ...window, page_size: 101, page_number: 1 } }),
      'page_size',
    );
    expectInvalid(
      await h.call('POST', '/openapi/item/search', { body: { ...window, page_size: 0, page_number: 1 } }),
      'page_size',
    );
  });

  it('keeps the 100 most recent search snapshots of a business, each for 1 h', async () => {
    h = await startInsight();
    await h.seed({ posts: [doc('a', 'coffee a', HOUR)] });
    const search = (snapshotId?: string) =>
      h.call('POST', '/openapi/item/search', {
        body: {
          rule: COFFEE,
          start_time: h.time(-DAY),
          end_time: h.time(),
          page_size: 10,
          page_number: 1,
          snapshot_id: snapshotId,
        },
      });
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push((await search()).body.data.snapshot_id);
    expect(new Set(ids).size).toBe(101);
    const evicted = await search(ids[0]);
    expectInvalid(evicted, 'snapshot_id');
    expect(evicted.body.message).toContain(ids[0]);
    expect((await search(ids[1])).body.data).toMatchObject({ snapshot_id: ids[1], count: 1 });
    expect((await search(ids[100])).body.data).toMatchObject({ snapshot_id: ids[100], count: 1 });
    h.clock.advance(HOUR + 1);
    expectInvalid(await search(ids[100]), 'snapshot_id');
  });

  it('names the first 10 problems of an invalid rule and counts the others', async () => {
    h = await startInsight();
    const create = (values: unknown[]) =>
      h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: ['in_list', { f: 'title' }, values] } });
    const bad = await create(Array.from({ length: 150 }, () => 0));
    expectInvalid(bad, 'rule[2][0]: value must be a string, got number 0; rule[2][1]: ');
    const named = Array.from({ length: 10 }, (_, i) => `rule[2][${i}]: value must be a string, got number 0`);
    expect(bad.body.message).toBe(`[40004]invalid param: ${named.join('; ')}; … and 140 more`);
    // A list over the limit is one problem, however many values it holds.
    const huge = await create(Array.from({ length: 1_000_000 }, () => 0));
    expect(huge.body.message).toBe(
      '[40004]invalid param: rule[2]: the list has 1000000 values; a realtime rule allows at most 10000; ' +
        'rule: the rule has 1000000 leaf nodes (one per keyword and per list value); a realtime rule allows at most 10000',
    );
  });

  it('accepts collectors and realtime start offsets up to their edges', async () => {
    h = await startInsight();
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1 },
    });
    const backtrack = (collector: string) =>
      h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id, collector }, { timeoutMs: 1_000 });
    expect((await backtrack('19')).http).toBe(200);
    expect((await backtrack('0-19')).http).toBe(200);
    expectInvalid(await backtrack('20'), 'collector');

    const realtime = (query: Record<string, string | number>) =>
      h.stream('/openapi/item/sse/stream', query, { max: 1, timeoutMs: 300 });
    const now = h.clock.now();
    expect((await realtime({ collector: '9', start_offset: now - DAY })).http).toBe(200);
    expectInvalid(await realtime({ collector: '10' }), 'collector');
    expectInvalid(await realtime({ start_offset: now - DAY - 1 }), 'start_offset');
    // A 10-digit offset is a Unix time in seconds, as people write it.
    expect((await realtime({ start_offset: Math.ceil((now - DAY) / 1000) })).http).toBe(200);
    expect((await realtime({ start_offset: now - 3 * HOUR, sync_only: 'true' })).http).toBe(200);
    expectInvalid(await realtime({ start_offset: now - 3 * HOUR - 1, sync_only: 'true' }), 'start_offset');
  });
});

describe('tasks that cannot complete', () => {
  it('fails a backtrack whose data expires before it finishes, and its stream says why', async () => {
    h = await startInsight({ backtrackSlicePosts: 1 });
    await h.seed({ posts: Array.from({ length: 200 }, (_, i) => doc(`e${i}`, `coffee ${i}`, (i + 1) * MINUTE)) });
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1000 },
    });
    const info = () => h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: body.data.task_id } });
    const running = await h.until(info, (answer) => answer.body.data.task_status === 'running');
    expect(running.body.data.task_status).toBe('running');
    h.clock.advance(6 * HOUR);
    const failed = await h.until(info, (answer) => answer.body.data.task_status === 'failed');
    expect(failed.body.data).toMatchObject({
      task_status: 'failed',
      fail_reason: 'the task data expired before the backtrack could finish',
    });
    const stream = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expectInvalid(stream, 'task_id');
    expect(stream.body.message).toContain('failed: the task data expired');
  });
});

describe('bad input', () => {
  it('answers [40004] naming the parameter for garbage query strings', async () => {
    h = await startInsight();
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1 },
    });
    const id = body.data.task_id as number;
    const cases: [string, string][] = [
      [`/openapi/backtrack/get_task_info?task_id=${id}&task_id=${id}`, 'task_id'],
      ['/openapi/backtrack/get_task_info?task_id=1e3', 'task_id'],
      ['/openapi/backtrack/get_task_info', 'task_id'],
      ['/openapi/backtrack/get_task_info?task_id=99999', 'task_id'],
      [`/openapi/item/sse/backtrack/stream?task_id=${id}&start_offset=abc`, 'start_offset'],
      [`/openapi/item/sse/backtrack/stream?task_id=${id}&start_offset=-1`, 'start_offset'],
      [`/openapi/item/sse/backtrack/stream?task_id=${id}&collector=5-2`, 'collector'],
      [`/openapi/item/sse/backtrack/stream?task_id=${id}&collector=a`, 'collector'],
      ['/openapi/item/sse/stream?sync_only=yes', 'sync_only'],
      ['/openapi/item/sse/stream?collector=%ZZ', 'collector'],
      ['/openapi/item/sse/stream?start_offset=%00', 'start_offset'],
      ['/openapi/item/query_by_id?post_id=', 'post_id'],
      ['/openapi/biz_sub/get_task_rule?task_id=%F0%9F%98%80', 'task_id'],
    ];
    for (const [path, parameter] of cases) expectInvalid(await h.call('GET', path), parameter);
  });

  it('answers [40004] for malformed and mistyped bodies on every endpoint that takes one', async () => {
    h = await startInsight();
    const endpoints: ['GET' | 'POST', string][] = [
      ['GET', '/openapi/backtrack/preview_task'],
      ['POST', '/openapi/backtrack/create_task'],
      ['POST', '/openapi/biz_sub/create_task'],
      ['POST', '/openapi/biz_sub/update_task'],
      ['GET', '/openapi/biz_sub/sensitive_words_check'],
      ['POST', '/openapi/item/search'],
    ];
    for (const [method, path] of endpoints) {
      for (const rawBody of ['{', '', 'null', '[]', '"rule"', '{"rule": 1, "task_id": "1", "words": "x"}']) {
        const answer = await h.call(method, path, { rawBody });
        expect(answer.http, `${method} ${path} ${rawBody}`).toBe(400);
        expect(answer.body.message, `${method} ${path} ${rawBody}`).toMatch(/^\[40004\]invalid param: \S/);
      }
    }
    const update = await h.call('POST', '/openapi/biz_sub/update_task', { body: { task_id: 1, enable_status: 2 } });
    expectInvalid(update, 'enable_status');
  });
});
