import { join } from 'node:path';
import { formatInsightTime } from '@insight/protocol';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { InsightModuleOptions } from '../src/insight/index.js';
import { DATABASE_FILE } from '../src/store/store.js';
import { BIZ, type Json, readStream, SECRET, type SseEvent } from './support/insight.js';
import { createProcessPool, type EmulatorProcess } from './support/process.js';
import { until } from './support/wait.js';

const DAY = 86_400_000;
/** How long a child process may take to reach a state: it competes for 2 busy cores. */
const SLOW_MS = 30_000;
const pool = createProcessPool();
afterAll(() => pool.cleanup());

interface Emulator extends EmulatorProcess {
  /** Calls the API with `token`, or asks for a token when none is given. */
  call(method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown): Promise<Json>;
  stream(path: string, token: string, options: { max?: number; timeoutMs?: number }): ReturnType<typeof readStream>;
  /** The task's `get_task_info` answer. */
  info(token: string, taskId: number): Promise<Json>;
  /** Waits until the task is finished or failed, and gives its last `get_task_info` answer. */
  ended(token: string, taskId: number): Promise<Json>;
  /** Reads the task's whole backtrack stream (every collector). */
  streamTask(token: string, taskId: number): ReturnType<typeof readStream>;
}

/** Starts the emulator in its own process on `dataDir`, with helpers to call its API. */
async function start(dataDir: string, insight: InsightModuleOptions): Promise<Emulator> {
  const emulator = await pool.start(dataDir, insight);
  const { url } = emulator;
  const server: Emulator = {
    ...emulator,
    async call(method, path, token, body) {
      const headers: Record<string, string> =
        token === undefined
          ? { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Biz-Secret': SECRET }
          : { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Access-Token': token };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await request(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return response.body.json();
    },
    stream: (path, token, options) =>
      readStream(`${url}${path}`, { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Access-Token': token }, options),
    info: (token, taskId) => server.call('GET', `/openapi/backtrack/get_task_info?task_id=${taskId}`, token),
    ended: (token, taskId) =>
      until(
        () => server.info(token, taskId),
        (body) => body.data.task_status === 'finished' || body.data.task_status === 'failed',
        SLOW_MS,
      ),
    streamTask: (token, taskId) =>
      server.stream(`/openapi/item/sse/backtrack/stream?task_id=${taskId}`, token, { timeoutMs: 15_000 }),
  };
  return server;
}

const key = (event: SseEvent): string => `${event.id}=${event.data.item_doc.post_id}`;

/** A rule most synthetic posts match: a backtrack over it has many offsets to fill. */
const BROAD = ['or', ['in', '的', { fl: ['title', 'asr'] }], ['in', 'the', { fl: ['title', 'asr'] }]];

describe('kill -9 of the Content Insight emulator', () => {
  it('resumes a running backtrack to the result of an uninterrupted run, keeping what was delivered', async () => {
    const dataDir = pool.dataDir('insight-crash-bt-');
    // Small slices: the task runs for a while and commits its progress many times before the kill.
    const options: InsightModuleOptions = { backtrackSlicePosts: 10 };
    const first = await start(dataDir, options);
    const seeded = await first.call('POST', '/_insight/seed', undefined, {
      module: 'insight',
      corpus: { size: 6_000, seed: 5, days: 30 },
    });
    expect(seeded.result).toEqual({ generated: 6_000 });
    const token = (await first.call('GET', '/oauth/access_token', undefined)).data.access_token as string;
    const window = { start_time: formatInsightTime(Date.now() - 31 * DAY), end_time: formatInsightTime(Date.now()) };
    const task = { rule: BROAD, ...window, limit: 100_000, de_duplicate: false };
    const subscription = await first.call('POST', '/openapi/biz_sub/create_task', token, { rule: BROAD });
    expect(subscription.status).toBe(0);
    const created = await first.call('POST', '/openapi/backtrack/create_task', token, task);
    const taskId = created.data.task_id as number;

    // A consumer reads collector 3 while the task runs; the emulator dies right after it handled 40 events.
    const collector3 = `/openapi/item/sse/backtrack/stream?task_id=${taskId}&collector=3`;
    const before = await first.stream(collector3, token, { max: 40, timeoutMs: 10_000 });
    const atKill = await first.info(token, taskId);
    await first.kill();
    expect(atKill.data.task_status).toBe('running');
    const handled = before.events.slice(0, 40);
    expect(handled).toHaveLength(40);
    const lastHandled = handled[39]!.data.offset as number;

    const second = await start(dataDir, options);
    // The token, the realtime task and the backtrack task survived.
    const rules = await second.call('GET', '/openapi/biz_sub/get_task_rules', token);
    expect(rules.data.tasks).toEqual([
      { task_id: subscription.data.task_id, rule: BROAD, enable_status: 1, sync_mode: 0 },
    ]);
    // Posts consumed before the kill are left out of a de-duplicating task created after it.
    const deduped = await second.call('POST', '/openapi/backtrack/create_task', token, { ...task, de_duplicate: true });
    const resumed = await second.ended(token, taskId);
    expect(resumed.data.task_status).toBe('finished');
    expect(resumed.data.task_cur_max_offset).toBeGreaterThanOrEqual(atKill.data.task_cur_max_offset);

    // The consumer resumes from its next offset: no loss, no repeat, and the offsets it had keep their posts.
    const replay = await second.stream(collector3, token, { timeoutMs: 10_000 });
    expect(replay.ended).toBe(true);
    expect(replay.events.slice(0, 40).map(key)).toEqual(handled.map(key));
    const rest = await second.stream(`${collector3}&start_offset=${lastHandled + 1}`, token, { timeoutMs: 10_000 });
    // Offsets increase strictly; some are skipped (matching posts that were deleted), none is repeated.
    const offsets = [...handled, ...rest.events].map((e) => e.data.offset as number);
    expect(offsets.every((offset, i) => i === 0 || offset > offsets[i - 1]!)).toBe(true);
    expect([...handled, ...rest.events].map(key)).toEqual(replay.events.map(key));

    // Interrupted and uninterrupted runs of the same task retrieve the same posts at the same offsets.
    const again = await second.call('POST', '/openapi/backtrack/create_task', token, task);
    const fresh = await second.ended(token, again.data.task_id);
    expect(fresh.data.collector_cur_max_offset).toEqual(resumed.data.collector_cur_max_offset);
    const all = (id: number) => second.streamTask(token, id);
    const [resumedAll, freshAll] = await Promise.all([all(taskId), all(again.data.task_id)]);
    expect(resumedAll.ended && freshAll.ended).toBe(true);
    expect(resumedAll.events.length).toBeGreaterThan(3_000);
    expect(resumedAll.events.map(key).sort()).toEqual(freshAll.events.map(key).sort());

    const dedupedInfo = await second.ended(token, deduped.data.task_id);
    expect(dedupedInfo.data.task_status).toBe('finished');
    const dedupedAll = await all(deduped.data.task_id);
    const consumed = new Set(handled.map((e) => e.data.item_doc.post_id));
    expect(dedupedAll.events.length).toBeGreaterThan(0);
    expect(dedupedAll.events.filter((e) => consumed.has(e.data.item_doc.post_id))).toEqual([]);
    await second.kill();
  }, 90_000);

  it('resumes a de-duplicating backtrack leaving out the posts it left out when it started, no more', async () => {
    const dataDir = pool.dataDir('insight-crash-dedup-');
    // Slices of one post: the de-duplicating task is still running long after the consumer below is done.
    const first = await start(dataDir, { backtrackSlicePosts: 1 });
    const seeded = await first.call('POST', '/_insight/seed', undefined, {
      module: 'insight',
      corpus: { size: 20_000, seed: 9, days: 30 },
    });
    expect(seeded.result).toEqual({ generated: 20_000 });
    const token = (await first.call('GET', '/oauth/access_token', undefined)).data.access_token as string;
    const now = Date.now();
    const whole = {
      rule: BROAD,
      start_time: formatInsightTime(now - 31 * DAY),
      end_time: formatInsightTime(now),
      limit: 100_000,
      de_duplicate: true,
    };
    // The oldest posts: the last a newest-first backtrack of the whole window reaches.
    const oldest = { ...whole, end_time: formatInsightTime(now - 29 * DAY), de_duplicate: false };
    const old = (await first.call('POST', '/openapi/backtrack/create_task', token, oldest)).data.task_id as number;
    // Tasks run one at a time, oldest first: this one starts once the first is finished, with no post consumed yet.
    const deduped = (await first.call('POST', '/openapi/backtrack/create_task', token, whole)).data.task_id as number;
    await until(
      () => first.info(token, deduped),
      (body) => body.data.task_cur_max_offset >= 0,
      SLOW_MS,
    );
    // Consumed after the de-duplicating task started: its posts stay in that task, before and after a restart.
    const consumed = await first.stream(`/openapi/item/sse/backtrack/stream?task_id=${old}`, token, {
      timeoutMs: 10_000,
    });
    expect(consumed.ended).toBe(true);
    expect(consumed.events.length).toBeGreaterThan(100);
    const atKill = await first.info(token, deduped);
    await first.kill();
    expect(atKill.data.task_status).toBe('running');

    const second = await start(dataDir, { backtrackSlicePosts: 1_000 });
    const resumed = await second.ended(token, deduped);
    expect(resumed.data.task_status).toBe('finished');
    // What an uninterrupted run gives: nothing was marked when the task started, so it leaves nothing out.
    const reference = await second.call('POST', '/openapi/backtrack/create_task', token, {
      ...whole,
      de_duplicate: false,
    });
    const fresh = await second.ended(token, reference.data.task_id);
    expect(resumed.data.collector_cur_max_offset).toEqual(fresh.data.collector_cur_max_offset);
    const all = (id: number) => second.streamTask(token, id);
    const [resumedAll, freshAll] = await Promise.all([all(deduped), all(reference.data.task_id)]);
    expect(resumedAll.ended && freshAll.ended).toBe(true);
    expect(resumedAll.events.map(key).sort()).toEqual(freshAll.events.map(key).sort());
    const delivered = new Set(resumedAll.events.map((e) => e.data.item_doc.post_id));
    expect(consumed.events.filter((e) => !delivered.has(e.data.item_doc.post_id))).toEqual([]);
    await second.kill();
  }, 90_000);

  it('keeps every realtime hit a consumer saw, and the resumed stream continues without loss or repeat', async () => {
    const dataDir = pool.dataDir('insight-crash-rt-');
    const options: InsightModuleOptions = { firehoseRate: 400 };
    const first = await start(dataDir, options);
    const token = (await first.call('GET', '/oauth/access_token', undefined)).data.access_token as string;
    const created = await first.call('POST', '/openapi/biz_sub/create_task', token, { rule: BROAD });
    expect(created.status).toBe(0);
    const from = Date.now();
    const collector = (offset: number) => `/openapi/item/sse/stream?collector=2&start_offset=${offset}`;
    // The emulator dies while the consumer is reading the live stream.
    const reading = first.stream(collector(from), token, { max: 1_000_000, timeoutMs: 60_000 });
    const seen = await until(
      () => first.call('GET', '/_insight/state?module=insight', undefined),
      (state) => state.modules.insight.realtimeHits >= 200,
      SLOW_MS,
    );
    expect(seen.modules.insight.realtimeHits).toBeGreaterThanOrEqual(200);
    await first.kill();
    const before = (await reading).events;
    expect(before.length).toBeGreaterThan(5);

    const second = await start(dataDir, options);
    // Every hit the consumer saw is still there, at the same offset.
    const replay = await second.stream(collector(from), token, { max: before.length, timeoutMs: 10_000 });
    expect(replay.events.slice(0, before.length).map(key)).toEqual(before.map(key));
    // Resuming after the last offset seen: new hits only, in increasing offsets, no post twice.
    const last = before[before.length - 1]!.data.offset as number;
    const after = await second.stream(collector(last + 1), token, { max: 10, timeoutMs: 15_000 });
    expect(after.events.length).toBe(10);
    const offsets = [...before, ...after.events].map((e) => e.data.offset as number);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(offsets.length);
    const posts = [...before, ...after.events].map((e) => e.data.item_doc.post_id as string);
    expect(new Set(posts).size).toBe(posts.length);
    await second.kill();
  }, 90_000);

  it('generates the whole default corpus again after a kill cut it short, over the same window', async () => {
    const corpus = { size: 150_000, seed: 7 };
    const dataDir = pool.dataDir('insight-crash-corpus-');
    const file = join(dataDir, DATABASE_FILE);
    const stored = (query: string): unknown[] => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return db.prepare(query).raw().all();
      } finally {
        db.close();
      }
    };
    const count = (): number => {
      try {
        return (stored('SELECT count(*) FROM insight_posts')[0] as [number])[0];
      } catch {
        return 0; // not created yet
      }
    };
    // Killed once the first batches are committed, long before the last one.
    const first = pool.spawn(dataDir, { corpus });
    await until(count, (n) => n > 0, SLOW_MS, 5);
    await first.kill();
    const cut = count();
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(corpus.size);
    const end = stored("SELECT value FROM insight_meta WHERE key = 'corpus_end'");

    const second = await start(dataDir, { corpus });
    await second.kill();
    expect(count()).toBe(corpus.size);
    expect(stored("SELECT value FROM insight_meta WHERE key = 'corpus_end'")).toEqual(end);
    // The same posts as an uninterrupted run of the same seed.
    const referenceDir = pool.dataDir('insight-crash-corpus-ref-');
    const reference = await start(referenceDir, { corpus });
    await reference.kill();
    const ids = (dir: string) => {
      const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
      try {
        return db.prepare('SELECT post_id FROM insight_posts ORDER BY post_id').pluck().all();
      } finally {
        db.close();
      }
    };
    expect(ids(dataDir)).toEqual(ids(referenceDir));
  }, 120_000);
});
