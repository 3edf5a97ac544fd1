// Content Insight emulator at scale: corpus load, preview, backtrack create → finished, stream throughput, RSS; and the
// compiled-matcher scan against a plain SQL `LIKE` scan of the same rule, on the same posts, in the same run.
// Run: cd bench && pnpm exec tsx insight/run.ts [--posts=1000000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatInsightTime } from '@insight/protocol';
import { createMockServer } from '@insight/mock-server';
import { request } from 'undici';
import { numberOption } from '../support/args.js';

const POSTS = numberOption('posts', 1_000_000);

/** Targets, checked at 1M posts (scaled linearly for smaller runs). */
const BACKTRACK_TARGET_MS = (10_000 * POSTS) / 1_000_000;
const STREAM_TARGET_PER_S = 20_000;
const RSS_TARGET_MB = 500;

const KEYWORDS = ['咖啡', 'coffee', '露营', 'camping'];
const RULE = ['or', ...KEYWORDS.map((k) => ['in', k, { fl: ['title', 'asr', 'ocr'] }])];
/** A broad rule, so that the stream has many posts to carry. */
const BROAD = ['or', ['in', '的', { fl: ['title', 'asr'] }], ['in', 'the', { fl: ['title', 'asr'] }]];

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const dir = mkdtempSync(join(tmpdir(), 'insight-bench-'));
const t0 = performance.now();
const server = await createMockServer({
  dataDir: dir,
  insight: { corpus: { size: POSTS, seed: 7 }, firehoseRate: 0 },
});
const loadMs = performance.now() - t0;

/** The part of a backtrack task's info the bench reads. */
interface TaskInfo {
  task_status: string;
  task_cur_max_offset: number;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = token
    ? { 'X-Insight-Biz-Name': 'demo-biz', 'X-Insight-Access-Token': token }
    : { 'X-Insight-Biz-Name': 'demo-biz', 'X-Insight-Biz-Secret': 'demo-secret' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.body.json()) as { status: number; message: string; data: T };
  if (json.status !== 0) throw new Error(`${path}: ${json.message}`);
  return json.data;
}

async function backtrack(token: string, rule: unknown): Promise<{ taskId: number; ms: number }> {
  const started = performance.now();
  const now = Date.now();
  const { task_id } = await call<{ task_id: number }>(
    'POST',
    '/openapi/backtrack/create_task',
    {
      rule,
      start_time: formatInsightTime(now - 90 * 86_400_000 + 60_000),
      end_time: formatInsightTime(now),
      limit: POSTS,
      de_duplicate: false,
    },
    token,
  );
  for (;;) {
    const info = await call<TaskInfo>('GET', `/openapi/backtrack/get_task_info?task_id=${task_id}`, undefined, token);
    if (info.task_status === 'finished') break;
    if (info.task_status === 'failed') throw new Error(`task ${task_id} failed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { taskId: task_id, ms: performance.now() - started };
}

try {
  const { access_token: token } = await call<{ access_token: string }>('GET', '/oauth/access_token');
  const now = Date.now();
  let t = performance.now();
  const preview = await call<{ count: number }>(
    'GET',
    '/openapi/backtrack/preview_task',
    { rule: RULE, start_time: formatInsightTime(now - 89 * 86_400_000), end_time: formatInsightTime(now) },
    token,
  );
  const previewMs = performance.now() - t;

  const narrow = await backtrack(token, RULE);
  const broad = await backtrack(token, BROAD);

  // The same rule as SQL LIKE over the same window: SQLite scanning the text itself.
  const likes = KEYWORDS.map(() => '(title LIKE ? OR asr LIKE ? OR ocr LIKE ?)').join(' OR ');
  const params = KEYWORDS.flatMap((k) => [`%${k}%`, `%${k}%`, `%${k}%`]);
  t = performance.now();
  const likeCount = server.store.db
    .prepare(`SELECT count(*) FROM insight_posts WHERE status = 1 AND publish_time >= ? AND (${likes})`)
    .pluck()
    .get(now - 90 * 86_400_000 + 60_000, ...params) as number;
  const likeMs = performance.now() - t;

  // Stream every collector of the broad task at once, as fast as the consumer reads.
  t = performance.now();
  const res = await request(`${server.url}/openapi/item/sse/backtrack/stream?task_id=${broad.taskId}`, {
    headers: { 'X-Insight-Biz-Name': 'demo-biz', 'X-Insight-Access-Token': token },
  });
  // The consumer counts events in the bytes as they arrive, without decoding them: the figure is the emulator's.
  const marker = Buffer.from('\ndata: ');
  let streamed = 0;
  let tail = Buffer.alloc(0);
  for await (const chunk of res.body) {
    const bytes = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
    for (let at = bytes.indexOf(marker); at !== -1; at = bytes.indexOf(marker, at + marker.length)) streamed++;
    tail = bytes.subarray(bytes.length - (marker.length - 1));
  }
  const streamMs = performance.now() - t;
  const perSecond = (streamed / streamMs) * 1000;
  const narrowInfo = await call<TaskInfo>(
    'GET',
    `/openapi/backtrack/get_task_info?task_id=${narrow.taskId}`,
    undefined,
    token,
  );
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const rssMb = peakRss / 1e6;

  const pass = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  console.log(`posts                          ${POSTS}`);
  console.log(
    `corpus generate + load         ${(loadMs / 1000).toFixed(2)} s (${Math.round(POSTS / (loadMs / 1000))} posts/s)`,
  );
  console.log(`preview (sampled estimate)     ${previewMs.toFixed(0)} ms, count ≈ ${preview.count}`);
  console.log(
    `backtrack create → finished    ${(narrow.ms / 1000).toFixed(2)} s (narrow rule), ${(broad.ms / 1000).toFixed(2)} s (broad rule, ${streamed} hits)  ${pass(Math.max(narrow.ms, broad.ms) < BACKTRACK_TARGET_MS)} < ${(BACKTRACK_TARGET_MS / 1000).toFixed(1)} s`,
  );
  console.log(
    `compiled matcher vs SQL LIKE   backtrack scan ${(narrow.ms / 1000).toFixed(2)} s vs LIKE count ${(likeMs / 1000).toFixed(2)} s (${likeCount} matches; ratio ${(likeMs / narrow.ms).toFixed(2)}×)`,
  );
  console.log(`  narrow task max offset       ${narrowInfo.task_cur_max_offset} over 20 collectors`);
  console.log(
    `stream throughput              ${Math.round(perSecond)} posts/s (${streamed} in ${(streamMs / 1000).toFixed(2)} s)  ${pass(perSecond >= STREAM_TARGET_PER_S)} ≥ ${STREAM_TARGET_PER_S}`,
  );
  console.log(
    `peak RSS (emulator + consumer) ${rssMb.toFixed(0)} MB  ${pass(rssMb < RSS_TARGET_MB)} < ${RSS_TARGET_MB} MB`,
  );
  if (
    Math.max(narrow.ms, broad.ms) >= BACKTRACK_TARGET_MS ||
    perSecond < STREAM_TARGET_PER_S ||
    rssMb >= RSS_TARGET_MB
  ) {
    process.exitCode = 1;
  }
} finally {
  clearInterval(sampler);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
