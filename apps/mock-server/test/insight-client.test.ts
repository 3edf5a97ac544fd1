import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiError,
  backtrackCheckpointKey,
  createInsightClient,
  createMemoryCheckpointStore,
  type InsightClient,
  type InsightClientOptions,
  type InsightDelivery,
} from '@insight/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockServer, type RequestRecord } from '../src/index.js';
import { BIZ, doc, type Harness, SECRET, startInsight } from './support/insight.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const COFFEE = ['or', ['in', 'coffee', { f: 'title' }], ['in', '咖啡', { fl: ['title', 'asr'] }]];

let h: Harness;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  await h?.close();
});

async function start(): Promise<void> {
  h = await startInsight();
}

function requests(path: string): RequestRecord[] {
  return h.server.requests.list({ path });
}

function client(overrides: Partial<InsightClientOptions> = {}): InsightClient {
  const insight = createInsightClient({
    bizName: BIZ,
    bizSecret: SECRET,
    baseUrl: overrides.baseUrl ?? h.server.url,
    backoff: { baseMs: 5, capMs: 50 },
    streams: { reconnect: { baseDelayMs: 5, maxDelayMs: 50 } },
    ...overrides,
  });
  cleanups.push(() => insight.close());
  return insight;
}

/** Seeds `count` coffee posts (one a minute back from now) and a few that do not match; returns the coffee ids. */
async function seedCoffee(count: number): Promise<string[]> {
  const posts = [
    ...Array.from({ length: count }, (_, i) => doc(`c${i}`, `coffee tasting ${i}`, (i + 1) * MINUTE)),
    ...Array.from({ length: 20 }, (_, i) => doc(`h${i}`, `hiking day ${i}`, (i + 1) * MINUTE + 30_000)),
  ];
  const answer = await h.seed({ posts });
  expect(answer.http).toBe(200);
  return posts.slice(0, count).map((post) => post.post_id as string);
}

async function createFinishedTask(insight: InsightClient, limit: number): Promise<number> {
  const { task_id: taskId } = await insight.backtrack.create({
    rule: COFFEE,
    start_time: h.time(-10 * DAY),
    end_time: h.time(),
    limit,
  });
  await insight.backtrack.waitUntilFinished(taskId, { intervalMs: 10 });
  return taskId;
}

async function collect(iterable: AsyncIterable<InsightDelivery>): Promise<InsightDelivery[]> {
  const out: InsightDelivery[] = [];
  for await (const delivery of iterable) out.push(delivery);
  return out;
}

const keyOf = (d: { collector: string; offset: number }) => `${d.collector}:${d.offset}`;

/**
 * A TCP proxy in front of the emulator that cuts every connection in the middle of its `every`-th event: a stream
 * drop as a consumer sees it behind a flaky network or a restarting gateway.
 */
async function startDroppingProxy(target: string, every: number): Promise<{ url: string; drops: () => number }> {
  const { hostname, port } = new URL(target);
  let drops = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(downstream).add(upstream);
    downstream.pipe(upstream);
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
    downstream.on('close', () => upstream.destroy());
    let events = 0;
    let tail = '';
    upstream.on('data', (chunk: Buffer) => {
      // latin1 keeps one character per byte, so string positions are buffer positions.
      const text = tail + chunk.toString('latin1');
      for (let at = text.indexOf('\ndata: '); at !== -1; at = text.indexOf('\ndata: ', at + 1)) {
        if (++events % every === 0) {
          const cut = Math.max(0, at - tail.length + 4);
          downstream.write(chunk.subarray(0, cut), () => downstream.destroy());
          upstream.destroy();
          drops++;
          return;
        }
      }
      tail = text.slice(-6);
      downstream.write(chunk);
    });
    upstream.on('end', () => downstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, drops: () => drops };
}

// Each test starts an emulator and drives it over real sockets; on a busy machine that takes far more than the
// default five seconds.
describe('InsightClient against the emulator', { timeout: 30_000 }, () => {
  it('runs a backtrack task through its whole lifecycle', async () => {
    await start();
    const coffee = await seedCoffee(300);
    const insight = client();

    const preview = await insight.backtrack.preview({
      rule: COFFEE,
      start_time: h.time(-10 * DAY),
      end_time: h.time(),
    });
    expect(preview.count).toBe(300);
    const { task_id: taskId } = await insight.backtrack.create({
      rule: COFFEE,
      start_time: h.time(-10 * DAY),
      end_time: h.time(),
      limit: 1000,
    });
    const progress: string[] = [];
    const final = await insight.backtrack.waitUntilFinished(taskId, {
      intervalMs: 5,
      onProgress: (info) => progress.push(info.task_status),
    });
    expect(final.task_status).toBe('finished');
    expect(progress.at(-1)).toBe('finished');
    expect(Object.keys(final.collector_cur_max_offset)).toHaveLength(20);
    expect(JSON.parse(final.rule).rule).toEqual(COFFEE);

    const deliveries = await collect(insight.stream.backtrack({ taskId }));
    expect(new Set(deliveries.map(keyOf)).size).toBe(300);
    expect(deliveries.map((d) => d.doc.post_id).sort()).toEqual([...coffee].sort());
    for (const [collector, max] of Object.entries(final.collector_cur_max_offset)) {
      const offsets = deliveries.filter((d) => d.collector === collector).map((d) => d.offset);
      expect(offsets).toEqual(Array.from({ length: max + 1 }, (_, i) => i));
    }

    // One collector from a given offset.
    const tail = await collect(insight.stream.backtrack({ taskId, collectors: ['3'], from: 10 }));
    expect(tail.map((d) => d.offset)).toEqual(
      deliveries.filter((d) => d.collector === '3' && d.offset >= 10).map((d) => d.offset),
    );

    const found: string[] = [];
    for await (const item of insight.search({
      rule: COFFEE,
      start_time: h.time(-10 * DAY),
      end_time: h.time(),
      page_size: 70,
    })) {
      found.push(item.post_id);
    }
    expect(found.sort()).toEqual([...coffee].sort());
    const post = await insight.queryById('c7');
    expect(post).toMatchObject({ post_id: 'c7', status: 1, title: 'coffee tasting 7' });
  });

  it('manages realtime tasks, checks sensitive words and maps service errors', async () => {
    await start();
    const insight = client();
    const { task_id: taskId } = await insight.realtime.create({ rule: COFFEE });
    await insight.realtime.update({ task_id: taskId, enable_status: 0 });
    expect(await insight.realtime.get(taskId)).toMatchObject({ task_id: taskId, enable_status: 0, rule: COFFEE });
    expect((await insight.realtime.list()).map((task) => task.task_id)).toContain(taskId);

    const words = await insight.checkSensitiveWords(['gambling', 'coffee']);
    expect(words.hit_words).toEqual(['gambling']);

    // The window lies outside the last 90 days: only the service knows its clock, so it answers [40004].
    const failure = await insight.backtrack
      .create({ rule: COFFEE, start_time: h.time(-200 * DAY), end_time: h.time(-199 * DAY), limit: 5 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 40004, status: 400, retryable: false });
    expect(requests('/openapi/backtrack/create_task')).toHaveLength(1);
  });

  it('stays under the QPS the emulator enforces: a burst is slowed, not refused', async () => {
    // QPS windows need time to pass: this emulator runs on the wall clock.
    const server = await createMockServer({ insight: { corpus: { size: 0 }, firehoseRate: 0, enforceQps: true } });
    cleanups.push(() => server.close());
    const paced = client({ baseUrl: server.url, maxRetries: 0 });
    const answers = await Promise.all(Array.from({ length: 15 }, () => paced.checkSensitiveWords(['coffee'])));
    expect(answers).toHaveLength(15);
    const checks = server.requests.list({ path: '/openapi/biz_sub/sensitive_words_check' });
    expect(checks.map((record) => record.status)).toEqual(Array.from({ length: 15 }, () => 200));
    // Without pacing the same burst is refused.
    const unpaced = client({ baseUrl: server.url, maxRetries: 0, pacing: false });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, () => unpaced.checkSensitiveWords(['coffee'])),
    );
    expect(outcomes.some((outcome) => outcome.status === 'rejected' && outcome.reason.code === 40006)).toBe(true);
  });

  it('streams realtime hits as they are published', async () => {
    await start();
    const insight = client();
    await insight.realtime.create({ rule: COFFEE });
    const live = Array.from({ length: 12 }, (_, i) => doc(`live${i}`, `coffee live ${i}`, 0));
    const controller = new AbortController();
    const seen: InsightDelivery[] = [];
    const reading = (async () => {
      for await (const delivery of insight.stream.realtime({
        since: h.clock.now() - MINUTE,
        signal: controller.signal,
      })) {
        seen.push(delivery);
        if (seen.length === live.length) return;
      }
    })();
    await h.seed({ live });
    // Ends once every hit arrived; a missing hit fails the test by its timeout.
    await reading;
    controller.abort();
    expect(seen.map((d) => d.doc.post_id).sort()).toEqual(live.map((p) => p.post_id as string).sort());
  });

  it('delivers the same posts when the connection drops every 37 events', async () => {
    await start();
    await seedCoffee(1200);
    const direct = client();
    const taskId = await createFinishedTask(direct, 5000);
    const reference = (await collect(direct.stream.backtrack({ taskId }))).map(keyOf).sort();
    expect(reference).toHaveLength(1200);

    const proxy = await startDroppingProxy(h.server.url, 37);
    const flaky = client({ baseUrl: proxy.url });
    const streamed = (await collect(flaky.stream.backtrack({ taskId }))).map(keyOf);
    expect(streamed.sort()).toEqual(reference);

    const delivered: string[] = [];
    const checkpoints = createMemoryCheckpointStore();
    const result = await flaky.consumeBacktrack(taskId, {
      checkpoints,
      onDelivery: (delivery) => {
        delivered.push(keyOf(delivery));
      },
    });
    expect(delivered.sort()).toEqual(reference);
    expect(result.delivered).toBe(1200);
    expect(proxy.drops()).toBeGreaterThan(40);
    const saved = await checkpoints.load(backtrackCheckpointKey(taskId, { bizName: BIZ, baseUrl: proxy.url }));
    const final = await direct.backtrack.info(taskId);
    expect(saved).toEqual(final.collector_cur_max_offset);
  });

  it('re-authenticates when the token expires in the middle of a consumer run', async () => {
    await start();
    await seedCoffee(600);
    const proxy = await startDroppingProxy(h.server.url, 50);
    const insight = client({ baseUrl: proxy.url });
    const taskId = await createFinishedTask(insight, 5000);
    const delivered = new Set<string>();
    await insight.consumeBacktrack(taskId, {
      checkpoints: createMemoryCheckpointStore(),
      onDelivery: (delivery) => {
        delivered.add(keyOf(delivery));
        // Past the token's 2 h lifetime on the service's clock: every reconnection from now on needs a new token.
        if (delivered.size === 150) h.clock.advance(2 * HOUR + MINUTE);
      },
    });
    expect(delivered.size).toBe(600);
    const refused = h.server.requests.list().filter((record) => record.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(requests('/oauth/access_token').length).toBeGreaterThanOrEqual(2);
  });

  it('delivers every post exactly once to a deduping sink across consumer crashes', { timeout: 150_000 }, async () => {
    await start();
    const coffee = await seedCoffee(1500);
    const taskId = await createFinishedTask(client(), 5000);
    const dir = await mkdtemp(join(tmpdir(), 'insight-consumer-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'deliveries.jsonl');
    const checkpointFile = join(dir, 'checkpoints.json');

    const crashed = await runConsumer(taskId, checkpointFile, out, 700);
    expect(crashed.signal).toBe('SIGKILL');
    const linesAtCrash = (await readFile(out, 'utf8')).trim().split('\n').length;
    expect(linesAtCrash).toBe(700);
    const restarted = await runConsumer(taskId, checkpointFile, out);
    expect(restarted).toMatchObject({ code: 0, stderr: '' });

    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { collector: string; offset: number; post_id: string });
    // At least once: a crash may repeat what was accepted after the last checkpoint, never lose anything.
    expect(lines.length).toBeGreaterThanOrEqual(1500);
    const deduped = new Map(lines.map((line) => [keyOf(line), line.post_id]));
    expect(deduped.size).toBe(1500);
    expect([...deduped.values()].sort()).toEqual([...coffee].sort());
    const checkpoints = JSON.parse(await readFile(checkpointFile, 'utf8'));
    const key = backtrackCheckpointKey(taskId, { bizName: BIZ, baseUrl: h.server.url });
    expect(Object.keys(checkpoints.checkpoints[key])).toHaveLength(20);
  });
});

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Longest one consumer process may run (it starts through tsx, which is slow on a loaded machine). */
const CONSUMER_TIMEOUT_MS = 60_000;

/** Runs the consumer fixture in its own process, optionally crashing after `crashAfter` deliveries. */
function runConsumer(
  taskId: number,
  checkpointFile: string,
  out: string,
  crashAfter?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(FIXTURES, 'consume-backtrack.ts'),
      h.server.url,
      BIZ,
      SECRET,
      String(taskId),
      checkpointFile,
      out,
    ],
    {
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: join(FIXTURES, 'tsconfig.consumer.json'),
        ...(crashAfter === undefined ? {} : { CRASH_AFTER: String(crashAfter) }),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // Bounds a hung consumer; two runs must fit in the test's timeout.
  const timer = setTimeout(() => child.kill('SIGKILL'), CONSUMER_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
