import { afterEach, describe, expect, it } from 'vitest';
import { doc, type Harness, startInsight } from './support/insight.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COFFEE = ['or', ['in', '咖啡', { fl: ['title', 'asr', 'ocr'] }], ['in', 'coffee', { f: 'title' }]];

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function seed(posts: Record<string, unknown>[]): Promise<void> {
  await h.seed({ posts });
}

async function finished(taskId: number) {
  return h.until(
    async () => (await h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: taskId } })).body,
    (body) => body.data?.task_status === 'finished',
  );
}

describe('backtrack tasks', () => {
  it('retrieves the newest matching posts up to the limit, spread over 20 collectors with consecutive offsets', async () => {
    h = await startInsight();
    const posts = Array.from({ length: 50 }, (_, i) =>
      doc(`p${i}`, i % 2 === 0 ? `咖啡 探店 ${i}` : `hiking day ${i}`, (i + 1) * HOUR),
    );
    await seed(posts);
    const created = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-10 * DAY), end_time: h.time(), limit: 21 },
    });
    expect(created.body).toMatchObject({ status: 0, message: 'succeed' });
    const taskId = created.body.data.task_id as number;
    const info = await finished(taskId);
    expect(info.data).toMatchObject({ task_status: 'finished', de_duplicate: true, limit: 21, task_cur_max_offset: 1 });
    expect(info.data.collector_cur_max_offset['0']).toBe(1);
    expect(info.data.collector_cur_max_offset['1']).toBe(0);
    expect(info.data.collector_cur_max_offset['19']).toBe(0);
    const ruleJson = JSON.parse(info.data.rule);
    expect(ruleJson.rule).toEqual(COFFEE);
    expect(ruleJson.start_date).toBe(h.time(-10 * DAY));

    const { events, ended } = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: taskId });
    expect(ended).toBe(true);
    expect(events).toHaveLength(21);
    const ids = events.map((e) => e.data.item_doc.post_id).sort();
    // Newest first: p0, p2, … p40 are the 21 matching posts closest to end_time.
    expect(ids).toEqual(Array.from({ length: 21 }, (_, i) => `p${i * 2}`).sort());
    const collector0 = events.filter((e) => e.data.collector === '0').map((e) => e.data.offset);
    expect(collector0).toEqual([0, 1]);
    expect(events[0]!.id).toBe(`${events[0]!.data.collector}:${events[0]!.data.offset}`);
  });

  it('sends each post as one event: its item_doc as imported, with the delivery times', async () => {
    h = await startInsight();
    const imported = doc('one', '咖啡 "quoted" \\ title', HOUR, {
      tags: ['美食'],
      poi_name: '山野咖啡馆',
      feature: { asr: 'asr 文本', ocr: 'ocr' },
      url: 'https://example.com/v/1',
    });
    await seed([imported]);
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10 },
    });
    await finished(body.data.task_id);
    h.clock.advance(5_000);
    const { events } = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expect(events).toEqual([
      {
        id: '0:0',
        data: {
          collector: '0',
          offset: 0,
          msg_id: `bt-${body.data.task_id}-0-0`,
          item_doc: {
            ...imported,
            create_time: imported.publish_time,
            first_public_time: imported.publish_time,
            update_time: imported.publish_time,
            push_ready_time: h.time(-5_000),
            consume_time: h.time(),
          },
        },
      },
    ]);
  });

  it('moves waiting → running → finished while offsets grow', async () => {
    h = await startInsight({ backtrackSlicePosts: 10 });
    await seed(Array.from({ length: 200 }, (_, i) => doc(`q${i}`, `coffee ${i}`, (i + 1) * 60_000)));
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1000 },
    });
    const seen = new Set<string>();
    const offsets: number[] = [];
    for (let i = 0; i < 200; i++) {
      const info = await h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: body.data.task_id } });
      seen.add(info.body.data.task_status);
      offsets.push(info.body.data.task_cur_max_offset);
      if (info.body.data.task_status === 'finished') break;
    }
    expect(seen.has('finished')).toBe(true);
    expect(seen.has('running')).toBe(true);
    expect(offsets.at(-1)).toBe(9);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('skips offsets of matching deleted posts, and leaves consumed posts out of a de-duplicating task', async () => {
    h = await startInsight();
    await seed([
      doc('a', 'coffee a', HOUR),
      { post_id: 'gone', origin_id: 'ogone', status: 0, publish_time: h.time(-2 * HOUR), title: 'coffee gone' },
      doc('b', 'coffee b', 3 * HOUR),
    ]);
    const first = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10 },
    });
    const info = await finished(first.body.data.task_id);
    // a → collector 0, the deleted post → collector 1 (an offset never sent), b → collector 2.
    expect(info.data.collector_cur_max_offset).toMatchObject({ '0': 0, '1': 0, '2': 0, '3': -1 });
    const firstRun = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: first.body.data.task_id });
    expect(firstRun.events.map((e) => [e.data.item_doc.post_id, e.id])).toEqual([
      ['a', '0:0'],
      ['b', '2:0'],
    ]);

    await seed([doc('c', 'coffee c', 4 * HOUR)]);
    const deduped = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10 },
    });
    const all = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10, de_duplicate: false },
    });
    await finished(deduped.body.data.task_id);
    await finished(all.body.data.task_id);
    const dedupedRun = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: deduped.body.data.task_id });
    expect(dedupedRun.events.map((e) => e.data.item_doc.post_id)).toEqual(['c']);
    const allRun = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: all.body.data.task_id });
    expect(allRun.events.map((e) => e.data.item_doc.post_id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('streams a running task as it grows and ends once it has finished', async () => {
    h = await startInsight({ backtrackSlicePosts: 5 });
    await seed(
      Array.from({ length: 300 }, (_, i) => doc(`g${i}`, i % 3 === 0 ? `hiking ${i}` : `coffee ${i}`, i * 1000)),
    );
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1000 },
    });
    // Opened before the task has run a slice: the stream waits for items, then for the end of the task.
    const run = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expect(run.ended).toBe(true);
    expect(run.events).toHaveLength(200);
    const info = await h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: body.data.task_id } });
    expect(info.body.data.task_status).toBe('finished');
    expect(new Set(run.events.map((e) => e.data.item_doc.post_id)).size).toBe(200);
  });

  it('resumes a stream cut mid-way from its offsets without loss or repeat', async () => {
    h = await startInsight();
    await seed(Array.from({ length: 120 }, (_, i) => doc(`r${i}`, `coffee ${i}`, (i + 1) * 60_000)));
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 1000 },
    });
    await finished(body.data.task_id);
    const cut = await h.stream(
      '/openapi/item/sse/backtrack/stream',
      { task_id: body.data.task_id, collector: '3' },
      { max: 2 },
    );
    // The consumer handled two events, then went away with whatever else the socket had buffered.
    const handled = cut.events.slice(0, 2);
    expect(handled.map((e) => e.data.offset)).toEqual([0, 1]);
    const rest = await h.stream('/openapi/item/sse/backtrack/stream', {
      task_id: body.data.task_id,
      collector: '3',
      start_offset: 2,
    });
    const offsets = [...handled, ...rest.events].map((e) => e.data.offset);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5]);
    const ids = [...handled, ...rest.events].map((e) => e.data.item_doc.post_id);
    expect(new Set(ids).size).toBe(6);
  });

  it('expires task data 6 h after the start', async () => {
    h = await startInsight();
    await seed([doc('x', 'coffee x', HOUR)]);
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10 },
    });
    await finished(body.data.task_id);
    h.clock.advance(6 * HOUR - 1000);
    const before = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expect(before.events).toHaveLength(1);
    h.clock.advance(1000);
    const after = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expect(after.http).toBe(400);
    expect(after.body.status).toBe(40004);
    expect(after.body.message).toMatch(/^\[40004\]invalid param: task_id: .*expired/);

    // Its items are cleared away by the next task created; the task itself still answers its info.
    const items = () =>
      h.server.store.prepare<[], number>('SELECT count(*) FROM insight_backtrack_items').pluck().get() as number;
    expect(items()).toBe(1);
    await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(), limit: 10 },
    });
    expect(items()).toBe(0);
    const info = await h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: body.data.task_id } });
    expect(info.body.data.task_status).toBe('finished');
  });

  it('covers the whole seconds of start_time and end_time in preview, backtrack and search', async () => {
    h = await startInsight();
    const start = h.time(-1000);
    const end = h.time();
    await seed([doc('start', 'coffee start', 1000), doc('before', 'coffee before', 1001)]);
    // Live posts carry their time to the millisecond: 400 ms into the end_time second, and in the second after it.
    h.clock.advance(400);
    await h.seed({ live: [doc('end', 'coffee end', 0)] });
    h.clock.advance(1000);
    await h.seed({ live: [doc('after', 'coffee after', 0)] });
    const window = { rule: COFFEE, start_time: start, end_time: end };

    const preview = await h.call('GET', '/openapi/backtrack/preview_task', { body: window });
    expect(preview.body.data).toEqual({ count: 2 });
    const search = await h.call('POST', '/openapi/item/search', { body: { ...window, page_size: 10, page_number: 1 } });
    expect(search.body.data.items.map((d: Record<string, unknown>) => d.post_id)).toEqual(['end', 'start']);
    const created = await h.call('POST', '/openapi/backtrack/create_task', { body: { ...window, limit: 10 } });
    const info = await finished(created.body.data.task_id);
    expect(JSON.parse(info.data.rule)).toMatchObject({ start_date: start, end_date: end });
    const run = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: created.body.data.task_id });
    expect(run.events.map((e) => e.data.item_doc.post_id)).toEqual(['end', 'start']);
  });

  it('previews a count and enforces the 90-day window and end > start', async () => {
    h = await startInsight();
    await seed([doc('a', 'coffee a', HOUR), doc('b', 'tea b', HOUR), doc('c', 'coffee c', 89 * DAY)]);
    const preview = await h.call('GET', '/openapi/backtrack/preview_task', {
      body: { rule: COFFEE, start_time: h.time(-90 * DAY), end_time: h.time() },
    });
    expect(preview.body).toEqual({ status: 0, message: 'succeed', data: { count: 2 } });
    const tooOld = await h.call('GET', '/openapi/backtrack/preview_task', {
      body: { rule: COFFEE, start_time: h.time(-90 * DAY - 1000), end_time: h.time() },
    });
    expect(tooOld.http).toBe(400);
    expect(tooOld.body.message).toMatch(/^\[40004\]invalid param: start_time: must lie within the last 90 days/);
    const reversed = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(), end_time: h.time(), limit: 1 },
    });
    expect(reversed.body.message).toMatch(/^\[40004\]invalid param: end_time: /);
  });
});
