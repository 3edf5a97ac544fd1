import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION_HEADER } from '../src/index.js';
import { BIZ, doc, type Harness, type Json, SECRET, startInsight } from './support/insight.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COFFEE = ['in', 'coffee', { f: 'title' }];

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('access tokens', () => {
  it('keeps the token while 30 min or more remain, then rotates with both valid until expiry', async () => {
    h = await startInsight();
    const ask = () =>
      h.call('GET', '/oauth/access_token', { headers: { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Biz-Secret': SECRET } });
    const first = await ask();
    expect(first.body.data.expire).toBe(7200);
    h.clock.advance(90 * 60_000);
    const same = await ask();
    expect(same.body.data).toEqual({ access_token: first.body.data.access_token, expire: 1800 });
    h.clock.advance(1000);
    const rotated = await ask();
    expect(rotated.body.data.access_token).not.toBe(first.body.data.access_token);
    const using = (token: string) =>
      h.call('GET', '/openapi/biz_sub/get_task_rules', {
        headers: { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Access-Token': token },
      });
    expect((await using(first.body.data.access_token)).body.status).toBe(0);
    expect((await using(rotated.body.data.access_token)).body.status).toBe(0);
    h.clock.advance(30 * 60_000);
    const expired = await using(first.body.data.access_token);
    expect(expired.http).toBe(401);
    expect(expired.body).toEqual({ status: 40001, message: '[40001]unauthorized: access token expired' });
    expect((await using(rotated.body.data.access_token)).body.status).toBe(0);
  });

  it('refuses a wrong secret and an unknown biz name with [40003]', async () => {
    h = await startInsight();
    const wrong = await h.call('GET', '/oauth/access_token', {
      headers: { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Biz-Secret': 'nope' },
    });
    expect(wrong.http).toBe(401);
    expect(wrong.body.message).toBe('[40003]invalid auth info: wrong biz secret');
    const unknown = await h.call('GET', '/openapi/biz_sub/get_task_rules', {
      headers: { 'X-Insight-Biz-Name': 'someone', 'X-Insight-Access-Token': 'x' },
    });
    expect(unknown.body.status).toBe(40003);
  });
});

describe('realtime tasks', () => {
  it('creates, updates, lists, and delivers live hits to the stream, resuming from an offset', async () => {
    h = await startInsight();
    const created = await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    const taskId = created.body.data.task_id as number;
    const rule = await h.call('GET', '/openapi/biz_sub/get_task_rule', { query: { task_id: taskId } });
    expect(rule.body.data).toEqual({ task_id: taskId, rule: COFFEE, enable_status: 1, sync_mode: 0 });
    const published = await h.seed({
      live: [doc('l1', 'coffee one', 0), doc('l2', 'tea', 0), doc('l3', 'Coffee three', 0)],
    });
    expect(published.body.result).toEqual({ published: 3, hits: 2 });

    const start = h.clock.now() - 1000;
    const first = await h.stream('/openapi/item/sse/stream', { start_offset: start }, { max: 2 });
    expect(first.events.map((e) => e.data.item_doc.post_id).sort()).toEqual(['l1', 'l3']);
    const one = first.events[0]!;
    // Resuming that collector after its last offset yields nothing again.
    const again = await h.stream(
      '/openapi/item/sse/stream',
      { collector: one.data.collector, start_offset: one.data.offset + 1 },
      { max: 1, timeoutMs: 400 },
    );
    expect(again.events.filter((e) => e.data.item_doc.post_id === one.data.item_doc.post_id)).toEqual([]);
    expect(again.comments).toContain('heartbeat');

    await h.call('POST', '/openapi/biz_sub/update_task', { body: { task_id: taskId, enable_status: 0 } });
    expect((await h.seed({ live: [doc('l4', 'coffee four', 0)] })).body.result.hits).toBe(0);
    const list = await h.call('GET', '/openapi/biz_sub/get_task_rules');
    expect(list.body.data.tasks).toEqual([{ task_id: taskId, rule: COFFEE, enable_status: 0, sync_mode: 0 }]);
  });

  it('delivers a hit on a deleted post as the four documented fields only', async () => {
    h = await startInsight();
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    const gone = { post_id: 'gone', origin_id: 'ogone', status: 2, publish_time: h.time(), title: 'coffee gone' };
    const live = doc('live', 'coffee live', 0);
    expect((await h.seed({ live: [gone, live] })).body.result).toEqual({ published: 2, hits: 2 });
    const { events } = await h.stream('/openapi/item/sse/stream', { start_offset: h.clock.now() }, { max: 2 });
    const byId = new Map(events.map((e) => [e.data.item_doc.post_id, e.data.item_doc]));
    expect(byId.get('gone')).toEqual({ post_id: 'gone', status: 2, publish_time: h.time(), origin_id: 'ogone' });
    expect(byId.get('live')).toMatchObject({ title: 'coffee live', push_ready_time: h.time(), consume_time: h.time() });
    for (const event of events) expect(event.data.msg_id).toBe(`rt-${event.data.collector}-${event.data.offset}`);
  });

  it('sends sync_only streams the hits of synchronous tasks only, and keeps hits for 24 h', async () => {
    h = await startInsight();
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE, sync_mode: 1 } });
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: ['in', 'tea', { f: 'title' }] } });
    await h.seed({ live: [doc('sync', 'coffee', 0), doc('async', 'tea', 0)] });
    const from = h.clock.now();
    const ids = async (query: Record<string, string | number>, max = 2) =>
      (await h.stream('/openapi/item/sse/stream', query, { max, timeoutMs: 400 })).events
        .map((e) => e.data.item_doc.post_id)
        .sort();
    const storedHits = async () =>
      ((await h.call('GET', '/_insight/state', { query: { module: 'insight' } })).body as Json).modules.insight
        .realtimeHits;
    expect(await ids({ start_offset: from, sync_only: 'true' })).toEqual(['sync']);
    expect(await ids({ start_offset: from })).toEqual(['async', 'sync']);

    h.clock.advance(12 * HOUR);
    await h.seed({ live: [doc('later', 'coffee later', 0)] });
    // 24 h less a second after the first hits: a stream from the earliest offset allowed still gets them.
    h.clock.advance(12 * HOUR - 1000);
    expect(await ids({ start_offset: h.clock.now() - DAY }, 3)).toEqual(['async', 'later', 'sync']);
    expect(await storedHits()).toBe(3);
    // A second later they are gone: from the stream and from the store, by the emulator's clock.
    h.clock.advance(2000);
    await h.seed({ live: [doc('fresh', 'coffee fresh', 0)] });
    expect(await ids({ start_offset: h.clock.now() - DAY }, 3)).toEqual(['fresh', 'later']);
    expect(await storedHits()).toBe(2);
  });

  it('imports posts from JSON lines, naming the line of a bad one', async () => {
    h = await startInsight();
    const lines = [doc('j1', 'coffee one', HOUR), doc('j2', 'tea', HOUR)].map((d) => JSON.stringify(d)).join('\n');
    expect((await h.seed({ jsonl: `${lines}\n` })).body.result).toEqual({ imported: 2 });
    const found = await h.call('GET', '/openapi/item/query_by_id', { query: { post_id: 'j2' } });
    expect(found.body.data).toMatchObject({ post_id: 'j2', title: 'tea' });
    const bad = await h.seed({ jsonl: `${lines}\n{"post_id": "x"}` });
    expect(bad.http).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('line 3');
  });

  it('refuses tags in a synchronous task and the 51st task', async () => {
    h = await startInsight();
    const tags = await h.call('POST', '/openapi/biz_sub/create_task', {
      body: { rule: ['in', 'x', { f: 'tags' }], sync_mode: 1 },
    });
    expect(tags.body.status).toBe(40004);
    for (let i = 0; i < 50; i++) {
      const ok = await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
      expect(ok.body.status).toBe(0);
    }
    const over = await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    expect(over.http).toBe(403);
    expect(over.body.message).toMatch(/^\[40005\]reached quota limit/);
  });

  it('leaves posts hit by realtime tasks out of de-duplicating backtracks', async () => {
    h = await startInsight();
    await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } });
    await h.seed({ live: [doc('live', 'coffee live', 0)], posts: [doc('old', 'coffee old', HOUR)] });
    const { body } = await h.call('POST', '/openapi/backtrack/create_task', {
      body: { rule: COFFEE, start_time: h.time(-DAY), end_time: h.time(1000), limit: 10 },
    });
    await h.until(
      async () =>
        (await h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: body.data.task_id } })).body,
      (b) => b.data.task_status === 'finished',
    );
    const run = await h.stream('/openapi/item/sse/backtrack/stream', { task_id: body.data.task_id });
    expect(run.events.map((e) => e.data.item_doc.post_id)).toEqual(['old']);
  });
});

describe('search, query by id, sensitive words', () => {
  it('pages through a snapshot and finds a post by id', async () => {
    h = await startInsight();
    await h.seed({ posts: Array.from({ length: 25 }, (_, i) => doc(`s${i}`, `coffee ${i}`, (i + 1) * HOUR)) });
    const window = { rule: COFFEE, start_time: h.time(-DAY * 2), end_time: h.time() };
    const page1 = await h.call('POST', '/openapi/item/search', { body: { ...window, page_size: 10, page_number: 1 } });
    expect(page1.body.data.count).toBe(25);
    expect(page1.body.data.items.map((d: Json) => d.post_id).slice(0, 2)).toEqual(['s0', 's1']);
    await h.seed({ posts: [doc('late', 'coffee late', 1000)] });
    const page3 = await h.call('POST', '/openapi/item/search', {
      body: { ...window, page_size: 10, page_number: 3, snapshot_id: page1.body.data.snapshot_id },
    });
    expect(page3.body.data.items.map((d: Json) => d.post_id)).toEqual(['s20', 's21', 's22', 's23', 's24']);
    const byId = await h.call('GET', '/openapi/item/query_by_id', { query: { post_id: 's3' } });
    expect(byId.body.data).toMatchObject({ post_id: 's3', title: 'coffee 3', status: 1 });
    const missing = await h.call('GET', '/openapi/item/query_by_id', { query: { post_id: 'nope' } });
    expect(missing.body.status).toBe(40007);
  });

  it('reports sensitive words and refuses them in rules', async () => {
    h = await startInsight({ sensitiveWords: ['禁词'] });
    const check = await h.call('GET', '/openapi/biz_sub/sensitive_words_check', {
      body: { words: ['好的禁词', '咖啡'] },
    });
    expect(check.body.data).toEqual({ hit_words: ['好的禁词'], invalid_words: [] });
    const tooLong = await h.call('GET', '/openapi/biz_sub/sensitive_words_check', { body: { words: ['12345678901'] } });
    expect(tooLong.body.message).toMatch(/^\[40004\]invalid param: words\.0: a word has at most 10 characters/);
    const rule = await h.call('POST', '/openapi/biz_sub/create_task', {
      body: { rule: ['in', '禁词', { f: 'title' }] },
    });
    expect(rule.body.status).toBe(40004);
  });

  it('ignores blank sensitive words, in the check as in rule keywords', async () => {
    h = await startInsight({ sensitiveWords: ['gambling', ' '] });
    const check = await h.call('GET', '/openapi/biz_sub/sensitive_words_check', {
      body: { words: ['a b', 'gambling 1'] },
    });
    expect(check.body.data).toEqual({ hit_words: ['gambling 1'], invalid_words: [] });
    const rule = await h.call('POST', '/openapi/biz_sub/create_task', {
      body: { rule: ['in', 'a b', { f: 'title' }] },
    });
    expect(rule.body.status).toBe(0);
  });
});

describe('version', () => {
  it("answers with the package's version in X-Insight-Emulator-Version", async () => {
    h = await startInsight();
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const answer = await fetch(`${h.server.url}/oauth/access_token`);
    expect(answer.headers.get(VERSION_HEADER)).toBe(pkg.version);
    await answer.text();
  });
});

describe('bad input', () => {
  it('answers the documented error for malformed JSON, wrong types, garbage queries and oversized rules', async () => {
    h = await startInsight();
    const cases = [
      h.call('POST', '/openapi/backtrack/create_task', { rawBody: '{"rule": [' }),
      h.call('POST', '/openapi/backtrack/create_task', { body: { rule: 'x', start_time: 1, end_time: 2, limit: 'a' } }),
      h.call('GET', '/openapi/backtrack/get_task_info', { query: { task_id: '-1' } }),
      h.call('GET', '/openapi/item/sse/backtrack/stream', { query: { task_id: 'x%00' } }),
      h.call('GET', '/openapi/item/sse/stream', { query: { collector: '3-99' } }),
      h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: ['and', ['or', ['or', ['or', COFFEE]]]] } }),
      h.call('POST', '/openapi/backtrack/create_task', {
        body: {
          rule: ['in_list', { f: 'title' }, Array.from({ length: 201 }, (_, i) => `v${i}`)],
          start_time: h.time(-DAY),
          end_time: h.time(),
          limit: 1,
        },
      }),
      h.call('GET', '/openapi/backtrack/preview_task', { rawBody: 'x'.repeat(17 * 1024 * 1024) }),
    ];
    for (const answer of await Promise.all(cases)) {
      expect(answer.http).toBe(400);
      expect(answer.body.status).toBe(40004);
      expect(answer.body.message).toMatch(/^\[40004\]invalid param: \S/);
    }
    const atLimit = await h.call('POST', '/openapi/backtrack/create_task', {
      body: {
        rule: ['in_list', { f: 'title' }, Array.from({ length: 200 }, (_, i) => `v${i}`)],
        start_time: h.time(-DAY),
        end_time: h.time(),
        limit: 1,
      },
    });
    expect(atLimit.body.status).toBe(0);
  });

  it('answers an injected fault with the documented code its HTTP status stands for, keeping the status', async () => {
    h = await startInsight();
    await h.token();
    const cases: [Record<string, unknown>, number, number][] = [
      [{ status: 401 }, 401, 40001],
      [{ status: 403 }, 403, 40002],
      [{ status: 429 }, 429, 40006],
      [{ status: 500 }, 500, 10000],
      [{ status: 503 }, 503, 10000],
      [{ status: 404 }, 400, 40004],
      // A fault naming an Insight code answers that code, with the status the fault asks for.
      [{ status: 503, code: 40006 }, 503, 40006],
      [{ status: 403, code: 40006 }, 403, 40006],
    ];
    for (const [fault, http, code] of cases) {
      await h.call('DELETE', '/_insight/faults');
      const added = await h.call('POST', '/_insight/faults', {
        body: { route: 'GET /openapi/biz_sub/get_task_rules', ...fault },
      });
      const answer = await h.call('GET', '/openapi/biz_sub/get_task_rules');
      expect({ fault, http: answer.http, status: answer.body.status }).toEqual({ fault, http, status: code });
      expect(answer.body.message).toMatch(
        new RegExp(`^\\[${code}\\]\\D.*: fault ${(added.body as Json).fault.id} injected`),
      );
    }
  });

  it('answers [40006] beyond the documented QPS when enforcement is on', async () => {
    h = await startInsight({ enforceQps: true });
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } }));
    expect(answers.slice(0, 5).every((a) => a.body.status === 0)).toBe(true);
    expect(answers[5]!.http).toBe(403);
    expect(answers[5]!.body.message).toMatch(/^\[40006\]reached qps limit/);
    h.clock.advance(1000);
    expect((await h.call('POST', '/openapi/biz_sub/create_task', { body: { rule: COFFEE } })).body.status).toBe(0);

    // Token calls are limited too (5 a second), before a token is issued: a refused call does not rotate it.
    const ask = (biz: string) =>
      h.call('GET', '/oauth/access_token', { headers: { 'X-Insight-Biz-Name': biz, 'X-Insight-Biz-Secret': SECRET } });
    h.clock.advance(3 * 3_600_000);
    const first = await ask(BIZ);
    h.clock.advance(90 * 60_000);
    const tokens = [];
    for (let i = 0; i < 5; i++) tokens.push(await ask(BIZ));
    h.clock.advance(1);
    tokens.push(await ask(BIZ)); // due for rotation now, but over the limit
    expect(tokens.map((a) => a.body.status)).toEqual([0, 0, 0, 0, 0, 40006]);
    expect(tokens[4]!.body.data).toEqual({ access_token: first.body.data.access_token, expire: 1800 });
    h.clock.advance(1000);
    expect((await ask(BIZ)).body.data.expire).toBe(7200);
    expect((await ask('someone')).body.status).toBe(40003);
  });
});
