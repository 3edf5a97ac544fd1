import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  buildCallbackItems,
  createByteAirClient,
  createInsightClient,
  type InsightDelivery,
  type InsightClient,
} from '@insight/client';
import { createMockServer, DATABASE_FILE, DEFAULT_TENANT, type MockServer } from '@insight/mock-server';
import { compileRule, type Rule, validateRule } from '@insight/rules';
import { debugLogger, parsePositiveInt } from '../../clients.js';
import { type CommandModule, defineCommand } from '../../command.js';
import { EXIT_CODES } from '../../errors.js';
import { formatCount, formatDuration, truncate } from '../../format.js';
import { openConsumeOutput } from '../../consume-output.js';
import { retrievedBound } from '../backtrack/shared.js';
import { matchedTerms } from '../rules/describe.js';
import { createStepper } from './steps.js';

/** Posts of the demo's synthetic corpus: enough for a realistic backtrack, small enough to seed in seconds. */
const DEMO_POSTS = 30_000;

/** The Content Insight account the demo's emulator accepts. */
const DEMO_ACCOUNT = { bizName: 'demo-biz', secret: 'demo-secret' } as const;

/** The ByteAir application and user of the demo. */
const DEMO_APP = 'demo-app';
const DEMO_USER = 'demo-user';

/** The id the demo force-inserts into a delivery, as an editor's pick would be. */
const INSERTED_ITEM = 'editor-pick-1';

/** The demo's rule: coffee posts (Chinese or English keywords, in the title or speech) from four cities. */
const DEMO_RULE: Rule = [
  'and',
  [
    'or',
    ['in', '咖啡', { fl: ['title', 'asr', 'ocr'] }],
    ['in', '拿铁', { fl: ['title', 'asr', 'ocr'] }],
    ['in', 'coffee', { fl: ['title', 'asr', 'ocr'] }],
    ['in', 'latte', { fl: ['title', 'asr', 'ocr'] }],
  ],
  ['in_list', { f: 'poi_city_name' }, ['上海市', '杭州市', '成都市', '深圳市']],
];

/** The same rule with a deliberate mistake, to show what the validator says. */
const BROKEN_RULE = ['and', DEMO_RULE[1], ['in_list', { f: 'poi_city' }, ['上海市', '杭州市', '成都市', '深圳市']]];

/** Matched posts shown with the keywords that matched them. */
const SHOWN_POSTS = 3;

/** `insight demo`: the whole system end to end on an embedded emulator. */
const demoCommand = defineCommand({
  name: 'demo',
  summary: 'Run both services end to end on an embedded emulator, step by step',
  usage: '[options]',
  description: [
    'Starts the emulator in this process on an embedded SQLite store (a temporary directory unless --data-dir),',
    'then drives it over real HTTP with the real clients:',
    '  Content Insight: token, rule validation, preview, backtrack task, progress, consumption to JSONL, summary;',
    '  ByteAir: predict, deliver with one item filtered and one inserted, callback, predict again.',
    'Exits 1 if any step fails. Run again over the same --data-dir, it resets the emulator first and replaces the',
    'output, so that every run does what the first did.',
  ].join('\n'),
  options: {
    'data-dir': {
      type: 'string',
      placeholder: '<dir>',
      description: 'Keep the emulator database here (default: a temporary directory, removed)',
    },
    posts: {
      type: 'string',
      placeholder: '<n>',
      description: `Posts of the synthetic corpus (default ${formatCount(DEMO_POSTS)})`,
    },
    output: {
      type: 'string',
      short: 'o',
      placeholder: '<file>',
      description: 'Where to write the consumed posts, replacing the file (default in the data directory)',
    },
  },
  maxPositionals: 0,
  examples: [
    'insight demo',
    'insight demo --data-dir ./demo-data --output coffee.jsonl',
    'insight demo --json > summary.json',
  ],
  async run(ctx, values) {
    const { out, io, signal } = ctx;
    const { style } = out;
    const posts = parsePositiveInt(values.posts, '--posts') ?? DEMO_POSTS;
    const keep = values['data-dir'] !== undefined;
    const dataDir = keep ? resolve(io.cwd, values['data-dir']!) : await mkdtemp(join(tmpdir(), 'insight-demo-'));
    if (keep) mkdirSync(dataDir, { recursive: true });
    const output = values.output === undefined ? join(dataDir, 'backtrack.jsonl') : resolve(io.cwd, values.output);
    const steps = createStepper(out);
    const started = performance.now();
    const logger = debugLogger(ctx);
    let server: MockServer | undefined;
    let insight: InsightClient | undefined;
    let byteair: ReturnType<typeof createByteAirClient> | undefined;

    try {
      out.log(style.bold('Insight demo: Content Insight and ByteAir against the embedded emulator'));
      server = await steps.run('Start the emulator', async (s) => {
        const earlier = existsSync(join(dataDir, DATABASE_FILE));
        const started = await createMockServer({
          dataDir,
          insight: { accounts: [{ ...DEMO_ACCOUNT }], corpus: { size: posts }, firehoseRate: 0 },
          ...(ctx.debug ? { logger: (line: string) => io.stderr.write(`${style.dim(line)}\n`) } : {}),
        });
        // An earlier run's tasks, consumed posts and deliveries would change this one: start from a fresh corpus.
        if (earlier) started.reset();
        s.note(`${started.url}, SQLite store in ${dataDir}${earlier ? ' (reset)' : ''}`);
        s.note(`${formatCount(posts)} synthetic posts over the last 90 days`);
        return started;
      });
      const url = server.url;

      steps.section('Content Insight');
      insight = createInsightClient({
        baseUrl: url,
        bizName: DEMO_ACCOUNT.bizName,
        bizSecret: DEMO_ACCOUNT.secret,
        logger,
      });
      const client = insight;
      await steps.run('Get an access token', async (s) => {
        const token = await client.accessToken({ signal });
        const validFor = Math.round(((token.expiresAt ?? Date.now()) - Date.now()) / 1000);
        s.note(`${token.accessToken.slice(0, 8)}… valid for ${validFor} s (the client renews its own)`);
      });
      await steps.run('Validate a rule with a mistake in it', async (s) => {
        const result = validateRule(BROKEN_RULE, { kind: 'backtrack' });
        if (result.ok) throw new Error('the broken rule was accepted');
        for (const issue of result.errors) s.note(`${style.red('✗')} ${issue.path}: ${issue.message}`);
      });
      const { stats } = await steps.run('Validate the fixed rule', async (s) => {
        const result = validateRule(DEMO_RULE, { kind: 'backtrack' });
        if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
        s.note(style.dim(JSON.stringify(DEMO_RULE)));
        s.note(
          `${style.green('✓')} depth ${result.stats.depth}, ${result.stats.nodes} nodes, fields ${result.stats.fields.join(', ')}`,
        );
        return result;
      });
      const window = { start_time: new Date(Date.now() - 89 * 86_400_000), end_time: new Date() };
      const preview = await steps.run('Preview how many posts match over the last 89 days', async (s) => {
        const data = await client.backtrack.preview({ rule: [...DEMO_RULE], ...window }, { signal });
        s.note(`about ${formatCount(data.count)} posts`);
        return data;
      });
      const limit = Math.max(1000, preview.count * 2);
      const { task_id: taskId } = await steps.run('Create a backtrack task', async (s) => {
        const data = await client.backtrack.create({ rule: [...DEMO_RULE], ...window, limit }, { signal });
        s.note(`task ${data.task_id}, limit ${formatCount(limit)}`);
        return data;
      });
      const info = await steps.run('Wait until the task finishes', async (s) => {
        const bar = out.progress(`task ${taskId}`);
        try {
          const final = await client.backtrack.waitUntilFinished(taskId, {
            signal,
            intervalMs: 100,
            maxIntervalMs: 500,
            onProgress: (progress) => bar.update(retrievedBound(progress), preview.count),
          });
          s.note(`${final.task_status}, ${Object.keys(final.collector_cur_max_offset).length} collectors`);
          return final;
        } finally {
          bar.stop();
        }
      });

      const compiled = compileRule(DEMO_RULE);
      const samples: InsightDelivery[] = [];
      let mismatches = 0;
      const consumed = await steps.run('Consume every collector into a JSONL file', async (s) => {
        const bar = out.progress('consuming');
        const total = retrievedBound(info);
        // A run starts over: what an earlier run wrote is replaced, not appended to.
        const checkpoints = join(dataDir, 'checkpoints.json');
        await rm(output, { force: true });
        await rm(checkpoints, { force: true });
        const { sink, checkpoints: store } = await openConsumeOutput({
          output,
          checkpoints,
          target: { taskId, baseUrl: url, bizName: DEMO_ACCOUNT.bizName },
          onWrite: (delivery) => {
            bar.update(sink.written, total);
            if (!compiled.match(delivery.doc)) mismatches++;
            else if (samples.length < SHOWN_POSTS) samples.push(delivery);
          },
        });
        const consumeStarted = performance.now();
        try {
          const result = await client.consumeBacktrack(taskId, { sink, checkpoints: store, signal });
          const ms = performance.now() - consumeStarted;
          const temporary = !keep && values.output === undefined;
          s.note(
            `${formatCount(result.delivered)} posts → ${output}${temporary ? style.dim(' (temporary: pass --output to keep it)') : ''}`,
          );
          if (mismatches > 0) throw new Error(`${mismatches} delivered posts do not match the rule`);
          return { ...result, ms };
        } finally {
          bar.stop();
          await sink.close();
        }
      });
      await steps.run('Summary', async (s) => {
        if (consumed.delivered === 0) throw new Error('the backtrack delivered no posts');
        const rate = consumed.delivered / Math.max(consumed.ms / 1000, 0.001);
        const offsets = Object.entries(consumed.offsets).sort(([a], [b]) => Number(a) - Number(b));
        s.note(
          `${formatCount(consumed.delivered)} posts in ${formatDuration(consumed.ms)} (${formatCount(Math.round(rate))} posts/s), all matching the rule`,
        );
        s.note(`offsets per collector: ${offsets.map(([id, offset]) => `${id}:${offset}`).join(' ')}`);
        for (const delivery of samples) {
          const title = typeof delivery.doc.title === 'string' ? delivery.doc.title : '';
          const terms = matchedTerms(compiled.explain(delivery.doc));
          s.note(`${style.dim(String(delivery.doc.post_id))} ${truncate(title, 48)}  ${style.cyan(terms.join(', '))}`);
        }
      });

      steps.section('ByteAir');
      const host = new URL(url).host;
      byteair = createByteAirClient({
        hosts: [host],
        scheme: 'http',
        tenantId: DEFAULT_TENANT.tenantId,
        applicationId: DEMO_APP,
        auth: { token: DEFAULT_TENANT.token },
        logger,
      });
      const recommender = byteair;
      const first = await steps.run(`Predict for ${DEMO_USER}`, async (s) => {
        const response = await recommender.predict({ user: { uid: DEMO_USER }, size: 6 }, { signal });
        const ids = (response.value?.items ?? []).map((item) => item.id);
        if (ids.length < 3) throw new Error(`expected at least 3 items, got ${ids.length}`);
        s.note(`${ids.join(', ')}  ${style.dim(`request id ${response.requestId}`)}`);
        return { ids, requestId: response.requestId };
      });
      const filtered = first.ids[1]!;
      const shown = [first.ids[0]!, INSERTED_ITEM, ...first.ids.slice(2)];
      await steps.run('Deliver with one item filtered and one inserted, and send the callback', async (s) => {
        const items = buildCallbackItems({ shown, inserted: [INSERTED_ITEM], filtered: [filtered] });
        const response = await recommender.callback(
          { uid: DEMO_USER, scene: 'default', items, predictRequestId: first.requestId },
          { signal },
        );
        s.note(`shown ${shown.join(', ')}`);
        s.note(`filtered ${filtered}, inserted ${INSERTED_ITEM}; callback code ${response.code} ${response.message}`);
      });
      await steps.run(`Predict again for ${DEMO_USER}: the shown items are gone`, async (s) => {
        const response = await recommender.predict({ user: { uid: DEMO_USER }, size: 6 }, { signal });
        const ids = (response.value?.items ?? []).map((item) => item.id);
        s.note(ids.join(', '));
        const again = ids.filter((id) => shown.includes(id));
        if (again.length > 0) throw new Error(`already shown items came back: ${again.join(', ')}`);
        s.note(
          `${style.green('✓')} none of the ${shown.length} shown items${ids.includes(filtered) ? `; ${filtered}, filtered rather than shown, may come back` : ''}`,
        );
      });

      const ms = performance.now() - started;
      out.log();
      out.log(`${style.green('✓')} demo finished in ${formatDuration(ms)}`);
      out.result(
        {
          ok: true,
          ms: Math.round(ms),
          steps: steps.timings,
          insight: {
            taskId,
            previewCount: preview.count,
            delivered: consumed.delivered,
            offsets: consumed.offsets,
            output,
            rule: DEMO_RULE,
            stats,
          },
          byteair: { firstPrediction: first.ids, shown, filtered, inserted: INSERTED_ITEM },
        },
        () => [],
      );
      return EXIT_CODES.OK;
    } finally {
      await insight?.close();
      await byteair?.close();
      await server?.close();
      if (!keep) await rm(dataDir, { recursive: true, force: true });
    }
  },
});

/** `insight demo` is a single command. */
export const commands: CommandModule['commands'] = [demoCommand];
