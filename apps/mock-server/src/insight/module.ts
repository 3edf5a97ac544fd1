import {
  formatInsightTime,
  INSIGHT_ENDPOINTS,
  INSIGHT_HEADERS,
  INSIGHT_LIMITS,
  INSIGHT_SCHEMAS,
  type InsightEndpointName,
  type InsightEndpointSchemas,
  parseInsightTime,
} from '@insight/protocol';
import {
  createSensitiveWordMatcher,
  formatIssue,
  normalizeText,
  type RuleKind,
  type RuleStats,
  type Rule,
  validateRule,
} from '@insight/rules';
import type { z } from 'zod';
import { EmulatorError } from '../core/errors.js';
import type { EmulatorRequest } from '../core/http.js';
import { streamReply } from '../core/http.js';
import type { EmulatorContext, EmulatorModule } from '../core/module.js';
import { fnv1a } from '../core/random.js';
import type { Router } from '../core/router.js';
import { type BacktrackEngine, createBacktrackEngine } from './backtrack.js';
import { generateCorpus } from './corpus.js';
import { insightFailure, invalidParam, renderInsightError, succeed } from './errors.js';
import { answerDoc, fromItemDoc, parseItemDocLines } from './item-doc.js';
import { createMarks, type Marks } from './marks.js';
import { createMeta } from './meta.js';
import { type InsightModuleOptions, type ResolvedInsightOptions, resolveInsightOptions } from './options.js';
import { createPostStore, type PostStore } from './post-store.js';
import { createQpsLimiter, type QpsLimiter } from './qps.js';
import { createRealtimeEngine, type RealtimeEngine } from './realtime.js';
import { INSIGHT_MIGRATIONS } from './schema.js';
import { createSearchService, type SearchService } from './search.js';
import { backtrackSource, parseCollectors, pumpStream, realtimeSource } from './streams.js';
import { createTokenService, type TokenService } from './tokens.js';

/** Name of the Content Insight module (request log, `/_insight/state`, `/_insight/seed`). */
export const INSIGHT_MODULE = 'insight';

const DAY_MS = 86_400_000;

/** Issues of an invalid rule named in the error message; the others are counted. */
const RULE_ISSUES_SHOWN = 10;

/** Tables emptied by a reset, children first. */
/**
 * How far ahead of the emulator's clock a backtrack `end_time` may be: a caller whose clock runs a little fast, asking
 * for "until now", is not refused.
 */
const CALLER_CLOCK_SLACK_MS = 60_000;

/** `insight_meta` key: when the default corpus ends (ms), recorded before its first post is written. */
const CORPUS_END_KEY = 'corpus_end';
/** `insight_meta` key: the default corpus is complete (its size), recorded after its last post is written. */
const CORPUS_COMPLETE_KEY = 'corpus_complete';

const TABLES = [
  'insight_post_docs',
  'insight_backtrack_items',
  'insight_backtrack_tasks',
  'insight_realtime_hits',
  'insight_realtime_tasks',
  'insight_marks',
  'insight_search_snapshots',
  'insight_tokens',
  'insight_meta',
  'insight_posts',
];

interface Services {
  /** Aborted by a reset, then replaced: ends the streams opened before it. */
  generation: AbortController;
  posts: PostStore;
  marks: Marks;
  tokens: TokenService;
  backtrack: BacktrackEngine;
  realtime: RealtimeEngine;
  search: SearchService;
  qps: QpsLimiter;
}

/**
 * Creates the Content Insight emulator module: tokens, backtrack and realtime tasks, consumption streams, search,
 * over a synthetic corpus and a live firehose.
 *
 * @throws TypeError naming each invalid option.
 */
export function createInsightModule(input?: InsightModuleOptions): EmulatorModule {
  const options: ResolvedInsightOptions = resolveInsightOptions(input);
  let ctx: EmulatorContext | undefined;
  let services: Services | undefined;
  const live = (): { ctx: EmulatorContext; s: Services } => {
    if (ctx === undefined || services === undefined) throw new Error('the insight module is not registered');
    return { ctx, s: services };
  };
  const corpusSeed = (c: EmulatorContext): number =>
    options.corpus.seed ?? (typeof c.options.seed === 'number' ? c.options.seed : fnv1a(c.options.seed));

  /**
   * Generates the default corpus into an empty store. Its posts commit a batch at a time, so a process killed half way
   * leaves part of it: the store records when the corpus ends (`corpus_end`) before the first batch and that it is
   * complete after the last, and a restart that finds it incomplete generates it again over the same window (posts are
   * upserted by id, so the ones already stored are written over with themselves).
   */
  function loadDefaultCorpus(c: EmulatorContext, posts: PostStore): void {
    if (options.corpus.size === 0) return;
    const meta = createMeta(c.store);
    const started = meta.get(CORPUS_END_KEY);
    if (meta.get(CORPUS_COMPLETE_KEY) !== undefined) return;
    // A store filled otherwise (imported posts, or one older than these keys) is left as it is.
    if (started === undefined && posts.count() > 0) return;
    const end = started === undefined ? c.clock.now() : Number(started);
    if (started === undefined) meta.set(CORPUS_END_KEY, String(end));
    else c.log('insight: the corpus was cut short by a stop: generating it again');
    const size = posts.upsert(
      generateCorpus({ seed: corpusSeed(c), size: options.corpus.size, end, days: options.corpus.days }),
    );
    meta.set(CORPUS_COMPLETE_KEY, String(size));
    c.log(`insight: generated a corpus of ${size} posts`);
  }

  return {
    name: INSIGHT_MODULE,
    migrations: INSIGHT_MIGRATIONS,
    renderError: renderInsightError,
    register(router, context) {
      ctx = context;
      const { store, clock } = context;
      const posts = createPostStore(store.db);
      const marks = createMarks(store);
      const accounts = new Map(options.accounts.map((a) => [a.bizName, a.secret]));
      services = {
        generation: new AbortController(),
        posts,
        marks,
        tokens: createTokenService(store, clock, accounts),
        backtrack: createBacktrackEngine({
          store,
          clock,
          posts,
          marks,
          collectors: INSIGHT_LIMITS.backtrackCollectors,
          slicePosts: options.backtrackSlicePosts,
          log: context.log,
        }),
        realtime: createRealtimeEngine({
          store,
          clock,
          posts,
          marks,
          collectors: INSIGHT_LIMITS.realtimeCollectors,
          firehoseRate: options.firehoseRate,
          seed: corpusSeed(context),
        }),
        search: createSearchService(store, clock, posts),
        qps: createQpsLimiter(clock),
      };
      loadDefaultCorpus(context, posts);
      registerRoutes(router, context, services, options);
    },
    start() {
      const { s } = live();
      s.backtrack.start();
      s.realtime.start();
    },
    stop() {
      services?.backtrack.stop();
      services?.realtime.stop();
    },
    reset() {
      const { ctx: c, s } = live();
      c.store.transaction(() => {
        for (const table of TABLES) c.store.db.exec(`DELETE FROM ${table}`);
      });
      // Task ids and row ids start again at 1: nothing in memory may outlive the rows it was about.
      s.backtrack.clear();
      s.generation.abort();
      s.generation = new AbortController();
      s.realtime.clear();
      s.qps.clear();
      loadDefaultCorpus(c, s.posts);
    },
    state() {
      const { ctx: c } = live();
      const count = (table: string): number =>
        c.store.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      return {
        posts: count('insight_posts'),
        backtrackTasks: count('insight_backtrack_tasks'),
        realtimeTasks: count('insight_realtime_tasks'),
        realtimeHits: count('insight_realtime_hits'),
        marks: count('insight_marks'),
      };
    },
    seed(body) {
      const { ctx: c, s } = live();
      try {
        return seedInsight(body, c, s);
      } catch (error) {
        // Bad seed data is the caller's mistake: a 400 naming what is wrong, not an internal error.
        if (error instanceof TypeError) throw new EmulatorError(400, `insight seed: ${error.message}`);
        throw error;
      }
    },
  };
}

/**
 * `POST /_insight/seed` with `{"module": "insight", …}`:
 * - `corpus: {size, seed?, days?}` generates synthetic posts (ending now);
 * - `posts: [item_doc…]` or `jsonl: "…"` imports posts into the history;
 * - `live: [item_doc…]` publishes posts through the firehose now (matched against realtime tasks).
 */
function seedInsight(body: unknown, ctx: EmulatorContext, s: Services): unknown {
  if (typeof body !== 'object' || body === null) throw new TypeError('seed body must be an object');
  const { corpus, posts, jsonl, live } = body as Record<string, unknown>;
  const result: Record<string, number> = {};
  if (corpus !== undefined) {
    const { size, seed, days } = (corpus ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(size) || (size as number) < 0) throw new TypeError('corpus.size must be an integer ≥ 0');
    if (seed !== undefined && !Number.isInteger(seed)) throw new TypeError('corpus.seed must be an integer');
    if (days !== undefined && !(typeof days === 'number' && days > 0 && days <= 365)) {
      throw new TypeError('corpus.days must be > 0 and ≤ 365');
    }
    result.generated = s.posts.upsert(
      generateCorpus({
        seed: (seed as number | undefined) ?? 1,
        size: size as number,
        end: ctx.clock.now(),
        days: days as number | undefined,
        idPrefix: `6${String(seed ?? 1).slice(-3)}`,
      }),
    );
  }
  const imported = [];
  if (posts !== undefined) {
    if (!Array.isArray(posts)) throw new TypeError('posts must be an array of item_doc');
    imported.push(...posts.map((doc, i) => fromItemDoc(doc, `posts[${i}]`)));
  }
  if (jsonl !== undefined) {
    if (typeof jsonl !== 'string') throw new TypeError('jsonl must be a string of JSON lines');
    imported.push(...parseItemDocLines(jsonl));
  }
  if (imported.length > 0) result.imported = s.posts.upsert(imported);
  if (live !== undefined) {
    if (!Array.isArray(live)) throw new TypeError('live must be an array of item_doc');
    const now = ctx.clock.now();
    const fresh = live.map((doc, i) => ({ ...fromItemDoc(doc, `live[${i}]`), publishTime: now }));
    result.published = fresh.length;
    result.hits = s.realtime.publish(fresh);
  }
  return result;
}

/** Reads a zod schema's result, or throws `[40004]` naming the first issue's path. */
function parse<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length === 0 ? where : issue.path.map(String).join('.');
  throw invalidParam(path, issue.message);
}

function queryObject(req: EmulatorRequest): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of req.query) {
    if (Object.hasOwn(query, key)) throw invalidParam(key, 'given more than once');
    query[key] = value;
  }
  return query;
}

function registerRoutes(router: Router, ctx: EmulatorContext, s: Services, options: ResolvedInsightOptions): void {
  const { clock, store } = ctx;

  /** Authenticates the call, applies the endpoint's rate limits, and reads its query and body. */
  async function open<N extends InsightEndpointName>(req: EmulatorRequest, endpoint: N) {
    const biz = s.tokens.verify(req.header(INSIGHT_HEADERS.bizName), req.header(INSIGHT_HEADERS.accessToken));
    if (options.enforceQps) s.qps.take(biz, endpoint);
    const schemas: InsightEndpointSchemas = INSIGHT_SCHEMAS[endpoint];
    const query = schemas.query === undefined ? undefined : parse(schemas.query, queryObject(req), 'query');
    const body = schemas.body === undefined ? undefined : parse(schemas.body, await req.json(), 'body');
    return { biz, query: query as unknown, body: body as unknown };
  }

  function checkRule(input: unknown, kind: RuleKind): { rule: Rule; stats: RuleStats } {
    const checked = validateRule(input, { kind, sensitiveWords: options.sensitiveWords });
    if (!checked.ok) throw insightFailure(40004, describeIssues(checked.errors.map(formatIssue)));
    return { rule: checked.rule, stats: checked.stats };
  }

  /** Reads a backtrack window: within the last 90 days, `end_time` after `start_time`. */
  function checkWindow(body: { start_time: string; end_time: string }): { start: number; end: number } {
    const start = parseInsightTime(body.start_time);
    const end = parseInsightTime(body.end_time);
    const now = clock.now();
    const earliest = now - INSIGHT_LIMITS.backtrackWindowDays * DAY_MS;
    if (start < earliest) {
      throw invalidParam(
        'start_time',
        `must lie within the last ${INSIGHT_LIMITS.backtrackWindowDays} days (not before ${formatInsightTime(earliest + 999)})`,
      );
    }
    if (end > now + CALLER_CLOCK_SLACK_MS)
      throw invalidParam('end_time', `must not be in the future (now is ${formatInsightTime(now)})`);
    return { start, end };
  }

  const path = (name: InsightEndpointName): string => INSIGHT_ENDPOINTS[name].path;
  // The same test as rule keywords get from `validateRule`.
  const findSensitiveWords = createSensitiveWordMatcher(options.sensitiveWords);
  const accountNames = new Set(options.accounts.map((account) => account.bizName));

  router.get(path('accessToken'), (req) => {
    const biz = req.header(INSIGHT_HEADERS.bizName);
    // The limit applies before issuing: a refused call must not rotate the token. Unknown names fall to `issue`.
    if (options.enforceQps && biz !== undefined && accountNames.has(biz)) s.qps.take(biz, 'accessToken');
    return succeed(s.tokens.issue(biz, req.header(INSIGHT_HEADERS.bizSecret)));
  });

  router.get(path('backtrackPreview'), async (req) => {
    const { biz, body } = await open(req, 'backtrackPreview');
    const request = body as z.infer<typeof INSIGHT_SCHEMAS.backtrackPreview.body>;
    const { rule } = checkRule(request.rule, 'backtrack');
    const { start, end } = checkWindow(request);
    const count = s.backtrack.preview(biz, {
      rule,
      startTime: start,
      endTime: end,
      deDuplicate: request.de_duplicate ?? true,
    });
    return succeed({ count });
  });

  router.post(path('backtrackCreate'), async (req) => {
    const { biz, body } = await open(req, 'backtrackCreate');
    const request = body as z.infer<typeof INSIGHT_SCHEMAS.backtrackCreate.body>;
    const { rule } = checkRule(request.rule, 'backtrack');
    const { start, end } = checkWindow(request);
    // Without a limit a task retrieves every match, up to the most any task may.
    const limit = request.limit ?? INSIGHT_LIMITS.backtrackHitLimit;
    if (limit > INSIGHT_LIMITS.backtrackHitLimit) {
      throw insightFailure(
        40009,
        `limit: ${limit} is over the ${INSIGHT_LIMITS.backtrackHitLimit} posts a task may retrieve`,
      );
    }
    const taskId = s.backtrack.create(biz, {
      rule,
      startTime: start,
      endTime: end,
      deDuplicate: request.de_duplicate ?? true,
      limit,
    });
    return succeed({ task_id: taskId });
  });

  router.get(path('backtrackTaskInfo'), async (req) => {
    const { biz, query } = await open(req, 'backtrackTaskInfo');
    const { task_id } = query as { task_id: number };
    const task = s.backtrack.get(biz, task_id);
    if (task === undefined) throw invalidParam('task_id', `no backtrack task ${task_id}`);
    const maxOffsets = s.backtrack.collectorMaxOffsets(task);
    return succeed({
      task_status: task.status,
      task_cur_max_offset: Math.max(-1, ...maxOffsets),
      collector_cur_max_offset: Object.fromEntries(maxOffsets.map((offset, c) => [String(c), offset])),
      rule: JSON.stringify({
        rule: task.rule,
        start_date: formatInsightTime(task.startTime),
        end_date: formatInsightTime(task.endTime),
      }),
      de_duplicate: task.deDuplicate,
      limit: task.limit,
      ...(task.failReason === null ? {} : { fail_reason: task.failReason }),
    });
  });

  router.post(path('realtimeCreate'), async (req) => {
    const { biz, body } = await open(req, 'realtimeCreate');
    const request = body as z.infer<typeof INSIGHT_SCHEMAS.realtimeCreate.body>;
    const sync = (request.sync_mode ?? 0) > 0;
    const { rule } = checkRule(request.rule, sync ? 'realtime-sync' : 'realtime');
    if (s.realtime.count(biz) >= INSIGHT_LIMITS.realtimeTasksMax) {
      throw insightFailure(40005, `a business has at most ${INSIGHT_LIMITS.realtimeTasksMax} realtime tasks`);
    }
    return succeed({ task_id: s.realtime.create(biz, rule, sync) });
  });

  router.post(path('realtimeUpdate'), async (req) => {
    const { biz, body } = await open(req, 'realtimeUpdate');
    const request = body as z.infer<typeof INSIGHT_SCHEMAS.realtimeUpdate.body>;
    const current = s.realtime.get(biz, request.task_id);
    if (current === undefined) throw invalidParam('task_id', `no realtime task ${request.task_id}`);
    const sync = request.sync_mode === undefined ? current.syncMode : request.sync_mode > 0;
    // A switch to synchronous delivery re-checks the stored rule: `tags` is not allowed there.
    const rule = checkRule(request.rule ?? current.rule, sync ? 'realtime-sync' : 'realtime').rule;
    s.realtime.update(biz, request.task_id, { rule, enableStatus: request.enable_status, syncMode: sync });
    return succeed({});
  });

  const taskView = (task: NonNullable<ReturnType<RealtimeEngine['get']>>) => ({
    task_id: task.taskId,
    rule: task.rule,
    enable_status: task.enableStatus,
    sync_mode: task.syncMode ? 1 : 0,
  });

  router.get(path('realtimeTaskRule'), async (req) => {
    const { biz, query } = await open(req, 'realtimeTaskRule');
    const { task_id } = query as { task_id: number };
    const task = s.realtime.get(biz, task_id);
    if (task === undefined) throw invalidParam('task_id', `no realtime task ${task_id}`);
    return succeed(taskView(task));
  });

  router.get(path('realtimeTaskRules'), async (req) => {
    const { biz } = await open(req, 'realtimeTaskRules');
    return succeed({ tasks: s.realtime.list(biz).map(taskView) });
  });

  router.get(path('sensitiveWordsCheck'), async (req) => {
    const { body } = await open(req, 'sensitiveWordsCheck');
    const { words } = body as { words: string[] };
    const hitWords: string[] = [];
    const invalidWords: string[] = [];
    for (const word of words) {
      if (normalizeText(word).trim() === '') invalidWords.push(word);
      else if (findSensitiveWords(word).length > 0) hitWords.push(word);
    }
    return succeed({ hit_words: hitWords, invalid_words: invalidWords });
  });

  router.post(path('search'), async (req) => {
    const { biz, body } = await open(req, 'search');
    const request = body as z.infer<typeof INSIGHT_SCHEMAS.search.body>;
    const { rule, stats } = checkRule(request.rule, 'backtrack');
    const start = parseInsightTime(request.start_time);
    const end = parseInsightTime(request.end_time);
    const snapshotId =
      request.snapshot_id ??
      (await s.search.search(biz, { rule, fields: stats.fields, start, end }, s.generation.signal));
    const page = s.search.page(biz, snapshotId, request.page_number, request.page_size);
    if (page === undefined)
      throw invalidParam('snapshot_id', `unknown or expired snapshot ${JSON.stringify(snapshotId)}`);
    const consumeTime = formatInsightTime(clock.now());
    return succeed({
      items: page.posts.map((post) => answerDoc(post, consumeTime)),
      snapshot_id: page.snapshotId,
      count: page.count,
    });
  });

  router.get(path('queryById'), async (req) => {
    const { query } = await open(req, 'queryById');
    const { post_id } = query as { post_id: string };
    const post = s.posts.byPostId(post_id);
    if (post === undefined) throw insightFailure(40007, `no post with post_id ${JSON.stringify(post_id)}`);
    return succeed(answerDoc(post, formatInsightTime(clock.now())));
  });

  const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

  router.get(path('backtrackStream'), async (req) => {
    const { biz, query } = await open(req, 'backtrackStream');
    const request = query as z.infer<typeof INSIGHT_SCHEMAS.backtrackStream.query>;
    const task = s.backtrack.get(biz, request.task_id);
    if (task === undefined) throw invalidParam('task_id', `no backtrack task ${request.task_id}`);
    if (task.status === 'failed') {
      throw invalidParam('task_id', `backtrack task ${task.taskId} failed: ${task.failReason ?? 'unknown reason'}`);
    }
    const expiresAt = s.backtrack.expiresAt(task);
    if (expiresAt !== undefined && clock.now() >= expiresAt) {
      throw invalidParam(
        'task_id',
        `the data of backtrack task ${task.taskId} expired at ${formatInsightTime(expiresAt)}`,
      );
    }
    const collectors = parseCollectors(request.collector ?? null, INSIGHT_LIMITS.backtrackCollectors);
    const source = backtrackSource(store, {
      biz,
      taskRowId: task.id,
      taskId: task.taskId,
      collectors: INSIGHT_LIMITS.backtrackCollectors,
      wakeups: s.backtrack.events,
      pushReadyTime: formatInsightTime(task.startedAt ?? task.createdAt),
      over() {
        const current = s.backtrack.get(biz, task.taskId);
        // A task row that is gone (a reset), or that is another task now, will never grow again.
        return (
          current === undefined ||
          current.id !== task.id ||
          current.status === 'finished' ||
          current.status === 'failed'
        );
      },
    });
    const ended = s.generation.signal;
    return streamReply(
      (sink) =>
        pumpStream(sink, {
          source,
          collectors,
          startOffset: request.start_offset ?? 0,
          clock,
          heartbeatMs: options.heartbeatMs,
          ended,
        }),
      sseHeaders,
    );
  });

  router.get(path('realtimeStream'), async (req) => {
    const { biz, query } = await open(req, 'realtimeStream');
    const request = query as z.infer<typeof INSIGHT_SCHEMAS.realtimeStream.query>;
    const syncOnly = request.sync_only === 'true';
    const collectors = parseCollectors(request.collector ?? null, INSIGHT_LIMITS.realtimeCollectors);
    const now = clock.now();
    const replayMs =
      (syncOnly ? INSIGHT_LIMITS.realtimeSyncOnlyReplaySeconds : INSIGHT_LIMITS.realtimeReplaySeconds) * 1000;
    const startOffset = request.start_offset === undefined ? now : toMillis(request.start_offset);
    if (startOffset < now - replayMs) {
      throw invalidParam(
        'start_offset',
        `must lie within the last ${replayMs / 3_600_000} h (not before ${Math.ceil((now - replayMs) / 1000)})`,
      );
    }
    const source = realtimeSource(store, {
      biz,
      syncOnly,
      collectors,
      wakeups: s.realtime.events,
      oldest: () => clock.now() - INSIGHT_LIMITS.realtimeReplaySeconds * 1000,
    });
    const ended = s.generation.signal;
    return streamReply(
      (sink) => pumpStream(sink, { source, collectors, startOffset, clock, heartbeatMs: options.heartbeatMs, ended }),
      sseHeaders,
    );
  });
}

/**
 * The issues of an invalid rule, `; `-separated: the first {@link RULE_ISSUES_SHOWN}, then how many more there are, so
 * that a huge rule cannot make a huge answer.
 */
function describeIssues(issues: readonly string[]): string {
  const shown = issues.slice(0, RULE_ISSUES_SHOWN).join('; ');
  const more = issues.length - RULE_ISSUES_SHOWN;
  return more > 0 ? `${shown}; … and ${more} more` : shown;
}

/**
 * Realtime offsets are hit times in epoch ms, so a consumer resumes with `last offset + 1`; a 10-digit Unix time in
 * seconds, as people write it, is read as seconds.
 */
function toMillis(startOffset: number): number {
  return startOffset < 100_000_000_000 ? startOffset * 1000 : startOffset;
}
