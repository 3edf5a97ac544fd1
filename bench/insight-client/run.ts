// Posts per second through `InsightClient.consumeBacktrack` (20 collectors, file checkpoints, every event validated
// against the protocol schema) against a bare SSE reader of the same 20 streams (undici + line splitting +
// `JSON.parse`), on one finished backtrack task of the emulator, which runs in a child process. After one uncounted
// warm-up round of each (so that neither is measured while the JIT compiles it), the two alternate for five rounds
// and the best round of each counts, to damp the noise of a shared machine. The CPU this process spends per post is
// reported too: on a loaded machine it shows the client's own overhead better than wall-clock throughput does.
// Run: cd bench && pnpm exec tsx insight-client/run.ts [--corpus=100000] [--limit=50000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileCheckpointStore, createInsightClient } from '@insight/client';
import { formatInsightTime, INSIGHT_ENDPOINTS, INSIGHT_HEADERS } from '@insight/protocol';
import { Agent, request } from 'undici';
import { numberOption } from '../support/args.js';
import { startEmulatorProcess } from '../support/emulator.js';

const CORPUS = numberOption('corpus', 100_000);
const LIMIT = numberOption('limit', 50_000);
const ROUNDS = 5;
const COLLECTORS = 20;
const TARGET = 0.8;
const BIZ = { bizName: 'demo-biz', bizSecret: 'demo-secret' };
/** A broad rule, so that the task has many posts to carry. */
const BROAD = ['or', ['in', '的', { fl: ['title', 'asr'] }], ['in', 'the', { fl: ['title', 'asr'] }]];

const emulator = await startEmulatorProcess({ insight: { corpus: { size: CORPUS, seed: 7 }, firehoseRate: 0 } });
const { port } = emulator;
const baseUrl = `http://127.0.0.1:${port}`;
const client = createInsightClient({ ...BIZ, baseUrl });

const now = Date.now();
const { task_id: taskId } = await client.backtrack.create({
  rule: BROAD,
  start_time: formatInsightTime(now - 89 * 86_400_000),
  end_time: formatInsightTime(now),
  limit: LIMIT,
});
const info = await client.backtrack.waitUntilFinished(taskId, { intervalMs: 100 });
console.log(`task ${taskId}: ${info.task_cur_max_offset + 1} offsets per collector at most, corpus ${CORPUS} posts`);

const tokenAnswer = await request(`${baseUrl}${INSIGHT_ENDPOINTS.accessToken.path}`, {
  headers: { [INSIGHT_HEADERS.bizName]: BIZ.bizName, [INSIGHT_HEADERS.bizSecret]: BIZ.bizSecret },
});
const token = ((await tokenAnswer.body.json()) as { data: { access_token: string } }).data.access_token;

/** The peer: one plain request per collector, events split on blank lines, each `data:` line parsed. */
async function bareReader(): Promise<number> {
  const agent = new Agent();
  let posts = 0;
  await Promise.all(
    Array.from({ length: COLLECTORS }, async (_, collector) => {
      const response = await request(
        `${baseUrl}${INSIGHT_ENDPOINTS.backtrackStream.path}?task_id=${taskId}&collector=${collector}&start_offset=0`,
        {
          headers: { [INSIGHT_HEADERS.bizName]: BIZ.bizName, [INSIGHT_HEADERS.accessToken]: token },
          dispatcher: agent,
        },
      );
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          if (line.startsWith('data: ')) {
            JSON.parse(line.slice(6));
            posts++;
          }
        }
      }
    }),
  );
  await agent.close();
  return posts;
}

/** The client: checkpoints in a fresh file each round, so that every round reads the task from the start. */
async function consumer(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'insight-client-bench-'));
  try {
    let posts = 0;
    await client.consumeBacktrack(taskId, {
      checkpoints: createFileCheckpointStore(join(dir, 'checkpoints.json')),
      concurrency: COLLECTORS,
      onDelivery: () => {
        posts++;
      },
    });
    return posts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall-clock throughput, and the CPU this process spent per post: the part a busy machine barely disturbs. */
async function measure(
  run: () => Promise<number>,
): Promise<{ posts: number; perSecond: number; cpuUsPerPost: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const posts = await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { posts, perSecond: posts / seconds, cpuUsPerPost: (used.user + used.system) / posts };
}

await bareReader();
await consumer();
const best = { bare: 0, client: 0 };
const cheapest = { bare: Number.POSITIVE_INFINITY, client: Number.POSITIVE_INFINITY };
let counts = { bare: 0, client: 0 };
for (let round = 1; round <= ROUNDS; round++) {
  const bare = await measure(bareReader);
  const consumed = await measure(consumer);
  counts = { bare: bare.posts, client: consumed.posts };
  best.bare = Math.max(best.bare, bare.perSecond);
  best.client = Math.max(best.client, consumed.perSecond);
  cheapest.bare = Math.min(cheapest.bare, bare.cpuUsPerPost);
  cheapest.client = Math.min(cheapest.client, consumed.cpuUsPerPost);
  console.log(
    `round ${round}: bare reader ${Math.round(bare.perSecond)} posts/s, ${bare.cpuUsPerPost.toFixed(1)} µs CPU/post ` +
      `(${bare.posts}); consumeBacktrack ${Math.round(consumed.perSecond)} posts/s, ` +
      `${consumed.cpuUsPerPost.toFixed(1)} µs CPU/post (${consumed.posts})`,
  );
}
if (counts.bare !== counts.client) throw new Error(`post counts differ: bare ${counts.bare}, client ${counts.client}`);

const ratio = best.client / best.bare;
console.log(`\n| reader | posts/s (best) | client CPU per post (least) |\n|---|---|---|`);
console.log(`| bare SSE reader (20 connections) | ${Math.round(best.bare)} | ${cheapest.bare.toFixed(1)} µs |`);
console.log(`| consumeBacktrack (20 collectors) | ${Math.round(best.client)} | ${cheapest.client.toFixed(1)} µs |`);
console.log(`\nratio ${ratio.toFixed(2)} (target ≥ ${TARGET}): ${ratio >= TARGET ? 'PASS' : 'FAIL'}`);
console.log(
  `CPU cost ratio ${(cheapest.bare / cheapest.client).toFixed(2)} (bare ÷ consumeBacktrack): how much of the gap is ` +
    "the client's own work rather than the machine's load",
);

await client.close();
emulator.stop();
