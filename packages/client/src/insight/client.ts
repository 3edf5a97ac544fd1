import {
  BacktrackCreateRequest,
  BacktrackPreviewData,
  BacktrackPreviewRequest,
  type BacktrackTaskInfo,
  BacktrackTaskInfo as BacktrackTaskInfoSchema,
  INSIGHT_BASE_URL,
  INSIGHT_ENDPOINTS,
  type InsightEndpointName,
  type ItemDoc,
  QueryByIdData,
  RealtimeCreateRequest,
  type RealtimeTaskRule,
  RealtimeTaskRule as RealtimeTaskRuleSchema,
  RealtimeTaskRules,
  RealtimeUpdateRequest,
  SearchData,
  SearchRequest,
  SensitiveWordsCheckData,
  SensitiveWordsCheckRequest,
  TaskCreatedData,
} from '@insight/protocol';
import type { RuleKind } from '@insight/rules';
import { RequestValidationError } from '../core/errors.js';
import { type CallOptions, createTransport, normaliseBaseUrls, type SharedClientOptions } from '../core/transport.js';
import { createInsightApi, type DataSchema, fetchAccessToken } from './api.js';
import { type ConsumeBacktrackOptions, type ConsumeResult, consumeBacktrack } from './consume.js';
import { createPacer, type RateLimit } from './pacer.js';
import {
  type BacktrackStreamOptions,
  type InsightDelivery,
  type RealtimeStreamOptions,
  type StreamContext,
  type StreamSettings,
  streamBacktrack,
  streamRealtime,
  streamSettingsIssues,
} from './streams.js';
import { type CurrentToken, createStaticTokenManager, createTokenManager, type TokenManager } from './token-manager.js';
import { type InsightTimeInput, validateRequest, withInsightTimes } from './validation.js';
import { type WaitOptions, type WaitUntilFinishedOptions, waitUntilFinished } from './wait.js';

/** Settings of an {@link InsightClient}. Give `bizSecret` (the client manages tokens) or a ready `accessToken`. */
export interface InsightClientOptions extends SharedClientOptions {
  /** The business's Volcengine account id, sent as `X-Insight-Biz-Name`. */
  bizName: string;
  /** The business secret; the client fetches, caches and renews access tokens with it. */
  bizSecret?: string | undefined;
  /** A token obtained elsewhere; it is never renewed, so a `[40001]` answer fails the call. */
  accessToken?: string | undefined;
  /** Base URL, `scheme://host[:port]`. @default 'https://insight.volcengineapi.com' */
  baseUrl?: string | undefined;
  /** Per-attempt timeout, in ms (for streams: until the answer starts). @default 60000 */
  timeout?: number | undefined;
  /** Retries after the first attempt, for `[40006]`, `[40008]`, 5xx and network errors. @default 2 */
  maxRetries?: number | undefined;
  /**
   * Client-side pacing. By default every endpoint with a documented QPS lets at most that many calls start in any
   * {@link PACING_WINDOW_MS} window, so that a busy process is slowed instead of refused; `false` turns pacing off; an
   * object overrides endpoints (`false` unpaces one).
   * @default true
   */
  pacing?: boolean | Partial<Record<InsightEndpointName, RateLimit | false>> | undefined;
  /** Defaults of the consumption streams (heartbeat timeout, reconnection). */
  streams?: StreamSettings | undefined;
}

/** Backtrack window and rule, with times as `yyyy-mm-dd HH:mm:ss` (UTC+8) strings or `Date`s. */
export interface BacktrackPreviewParams {
  rule: unknown[];
  start_time: InsightTimeInput;
  end_time: InsightTimeInput;
  /** @default true */
  de_duplicate?: boolean | undefined;
}

/** Parameters of `backtrack.create`. */
export interface BacktrackCreateParams extends BacktrackPreviewParams {
  /** Most posts to retrieve, newest first. */
  limit?: number | undefined;
}

/** Parameters of `search`; pages are fetched one after the other through the snapshot id. */
export interface SearchParams {
  rule: unknown[];
  start_time: InsightTimeInput;
  end_time: InsightTimeInput;
  /** Posts per page. @default 100 */
  page_size?: number | undefined;
}

/** Parameters of `realtime.create`. */
export interface RealtimeCreateParams {
  rule: unknown[];
  /** The vendor's delivery-mode integer. */
  sync_mode?: number | undefined;
}

/** Parameters of `realtime.update`: what is given changes. */
export interface RealtimeUpdateParams {
  task_id: number;
  rule?: unknown[] | undefined;
  /** 1 on, 0 off. */
  enable_status?: 0 | 1 | undefined;
  sync_mode?: number | undefined;
}

/** A client of the Content Insight API. */
export interface InsightClient {
  /** Backtrack tasks: posts of the past 90 days. */
  readonly backtrack: {
    /** A rough count of the posts a backtrack would retrieve (slow on the real service). */
    preview(params: BacktrackPreviewParams, options?: CallOptions): Promise<BacktrackPreviewData>;
    /** Creates a backtrack task. Not replayed after an unclear failure, so that it never creates two tasks. */
    create(params: BacktrackCreateParams, options?: CallOptions): Promise<TaskCreatedData>;
    /** Status and offsets of a task. */
    info(taskId: number, options?: CallOptions): Promise<BacktrackTaskInfo>;
    /**
     * Polls a task until it finishes and returns its final info.
     * @throws BacktrackTaskFailedError when the task fails.
     */
    waitUntilFinished(taskId: number, options?: WaitUntilFinishedOptions): Promise<BacktrackTaskInfo>;
  };
  /** Realtime subscription tasks. */
  readonly realtime: {
    create(params: RealtimeCreateParams, options?: CallOptions): Promise<TaskCreatedData>;
    update(params: RealtimeUpdateParams, options?: CallOptions): Promise<void>;
    get(taskId: number, options?: CallOptions): Promise<RealtimeTaskRule>;
    /** Every realtime task of the business. */
    list(options?: CallOptions): Promise<RealtimeTaskRule[]>;
  };
  /** Which words the service refuses as keywords (at most 100 words of at most 10 characters). */
  checkSensitiveWords(words: readonly string[], options?: CallOptions): Promise<SensitiveWordsCheckData>;
  /** Every post matching a rule in a window, page after page through the search snapshot. */
  search(params: SearchParams, options?: CallOptions): AsyncIterable<ItemDoc>;
  /** One post by its id. */
  queryById(postId: string, options?: CallOptions): Promise<ItemDoc>;
  /** Consumption streams, one connection per collector, reconnecting from the last offset seen. */
  readonly stream: {
    backtrack(options: BacktrackStreamOptions): AsyncIterable<InsightDelivery>;
    realtime(options?: RealtimeStreamOptions): AsyncIterable<InsightDelivery>;
  };
  /** Waits for a backtrack task and drains it into a sink with checkpoints; see {@link ConsumeBacktrackOptions}. */
  consumeBacktrack(taskId: number, options: ConsumeBacktrackOptions): Promise<ConsumeResult>;
  /**
   * The access token the client sends, fetched or renewed first when needed, for calling the API by other means. The
   * client manages tokens on its own; this never needs to be called before other calls.
   */
  accessToken(options?: Pick<CallOptions, 'signal'>): Promise<CurrentToken>;
  /** Closes the connections the client opened. */
  close(): Promise<void>;
}

/**
 * The window over which the client counts each endpoint's documented QPS, in ms: a little over a second, because the
 * service counts over a sliding second and network jitter can bring calls that left a second apart closer together.
 */
export const PACING_WINDOW_MS = 1100;

/** The replies to update calls carry no data worth typing. */
const ANY_DATA: DataSchema<unknown> = { safeParse: (input) => ({ success: true, data: input }) };

/** Creates a Content Insight client. */
export function createInsightClient(options: InsightClientOptions): InsightClient {
  const [baseUrl] = normaliseBaseUrls([options.baseUrl ?? INSIGHT_BASE_URL], 'baseUrl');
  if (typeof options.bizName !== 'string' || options.bizName === '') {
    throw new RequestValidationError([{ path: 'bizName', message: 'must be a non-empty string' }]);
  }
  if ((options.bizSecret === undefined) === (options.accessToken === undefined)) {
    throw new RequestValidationError([{ path: 'bizSecret', message: 'give exactly one of bizSecret and accessToken' }]);
  }
  // Like the transport's timing settings: a timer delay Node.js cannot honour would fire at once.
  const [streamIssue] = streamSettingsIssues(options.streams, 'streams.');
  if (streamIssue) throw new TypeError(`createInsightClient: ${streamIssue.path} ${streamIssue.message}`);
  const transport = createTransport({
    hosts: [baseUrl!],
    dispatcher: options.dispatcher,
    timeout: options.timeout,
    maxRetries: options.maxRetries,
    backoff: options.backoff,
    retryBudget: options.retryBudget,
    logger: options.logger,
    onAttempt: options.onAttempt,
    // `[40001]` is handled per call by the token manager, which knows which token each call sent; replaying the
    // call with the same token would only fail again.
    refreshAuth: () => false,
  });
  const pacer = createPacer({ limits: pacingLimits(options.pacing) });
  const { bizName, bizSecret } = options;
  const tokens: TokenManager =
    bizSecret === undefined
      ? createStaticTokenManager(options.accessToken!)
      : createTokenManager({
          fetchToken: () => fetchAccessToken(transport, pacer, { bizName, bizSecret }),
        });
  const api = createInsightApi({ transport, bizName, tokens, pacer });

  const info = async (taskId: number, callOptions?: CallOptions) =>
    api.call(
      {
        endpoint: 'backtrackTaskInfo',
        query: { task_id: validateTaskId(taskId) },
        schema: BacktrackTaskInfoSchema,
        replaySafe: true,
      },
      callOptions,
    );
  const streamContext: StreamContext = {
    api,
    getTaskInfo: (taskId, signal) => info(taskId, { signal }),
    defaults: options.streams ?? {},
    logger: options.logger,
  };
  const wait = (taskId: number, waitOptions?: WaitOptions) =>
    waitUntilFinished(taskId, (signal) => info(taskId, { signal }), {
      ...waitOptions,
      reconnect: waitOptions?.reconnect ?? streamContext.defaults.reconnect,
    });

  async function* search(params: SearchParams, callOptions?: CallOptions): AsyncGenerator<ItemDoc> {
    const pageSize = params.page_size ?? 100;
    let snapshotId: string | undefined;
    for (let page = 1; ; page++) {
      const body = validateRequest(
        SearchRequest,
        { ...withInsightTimes(params), page_size: pageSize, page_number: page, snapshot_id: snapshotId },
        'backtrack',
      );
      const data = await api.call({ endpoint: 'search', body, schema: SearchData, replaySafe: true }, callOptions);
      snapshotId = data.snapshot_id;
      yield* data.items;
      // A short page is the last one; so is the page that reaches `count`, whose next page would be empty or, past
      // the service's 10000 cap, refused.
      if (data.items.length < pageSize || page * pageSize >= data.count) return;
    }
  }

  return {
    backtrack: {
      preview: async (params, callOptions) =>
        api.call(
          {
            endpoint: 'backtrackPreview',
            body: validateRequest(BacktrackPreviewRequest, withInsightTimes(params), 'backtrack'),
            schema: BacktrackPreviewData,
            replaySafe: true,
          },
          callOptions,
        ),
      create: async (params, callOptions) =>
        api.call(
          {
            endpoint: 'backtrackCreate',
            body: validateRequest(BacktrackCreateRequest, withInsightTimes(params), 'backtrack'),
            schema: TaskCreatedData,
            replaySafe: false,
          },
          callOptions,
        ),
      info,
      waitUntilFinished: wait,
    },
    realtime: {
      create: async (params, callOptions) =>
        api.call(
          {
            endpoint: 'realtimeCreate',
            body: validateRequest(RealtimeCreateRequest, params, realtimeRuleKind(params.sync_mode)),
            schema: TaskCreatedData,
            replaySafe: false,
          },
          callOptions,
        ),
      update: async (params, callOptions) => {
        await api.call(
          {
            endpoint: 'realtimeUpdate',
            body: validateRequest(RealtimeUpdateRequest, params, realtimeRuleKind(params.sync_mode)),
            schema: ANY_DATA,
            replaySafe: true,
          },
          callOptions,
        );
      },
      get: async (taskId, callOptions) =>
        api.call(
          {
            endpoint: 'realtimeTaskRule',
            query: { task_id: validateTaskId(taskId) },
            schema: RealtimeTaskRuleSchema,
            replaySafe: true,
          },
          callOptions,
        ),
      list: async (callOptions) =>
        (await api.call({ endpoint: 'realtimeTaskRules', schema: RealtimeTaskRules, replaySafe: true }, callOptions))
          .tasks,
    },
    checkSensitiveWords: async (words, callOptions) =>
      api.call(
        {
          endpoint: 'sensitiveWordsCheck',
          body: validateRequest(SensitiveWordsCheckRequest, { words }),
          schema: SensitiveWordsCheckData,
          replaySafe: true,
        },
        callOptions,
      ),
    search,
    queryById: async (postId, callOptions) => {
      if (typeof postId !== 'string' || postId === '') {
        throw new RequestValidationError([{ path: 'postId', message: 'must be a non-empty string' }]);
      }
      return api.call(
        { endpoint: 'queryById', query: { post_id: postId }, schema: QueryByIdData, replaySafe: true },
        callOptions,
      );
    },
    stream: {
      backtrack: (streamOptions) => {
        validateTaskId(streamOptions.taskId);
        validateStreamSettings(streamOptions);
        return streamBacktrack(streamContext, streamOptions);
      },
      realtime: (streamOptions) => {
        validateStreamSettings(streamOptions);
        return streamRealtime(streamContext, streamOptions);
      },
    },
    consumeBacktrack: async (taskId, consumeOptions) =>
      consumeBacktrack(
        { ...streamContext, waitUntilFinished: wait, account: { bizName: options.bizName, baseUrl: baseUrl! } },
        validateTaskId(taskId),
        consumeOptions,
      ),
    accessToken: (callOptions) => tokens.current(callOptions?.signal),
    close: () => transport.close(),
  };
}

/** The pacing limits: each documented QPS over {@link PACING_WINDOW_MS}, then the caller's overrides. */
function pacingLimits(pacing: InsightClientOptions['pacing']): Record<string, RateLimit> {
  if (pacing === false) return {};
  const limits: Record<string, RateLimit> = {};
  for (const [endpoint, spec] of Object.entries(INSIGHT_ENDPOINTS)) {
    const qps = (spec as { qps?: number }).qps;
    if (qps !== undefined) limits[endpoint] = { limit: qps, windowMs: PACING_WINDOW_MS };
  }
  if (typeof pacing === 'object') {
    for (const [endpoint, limit] of Object.entries(pacing)) {
      if (!(endpoint in INSIGHT_ENDPOINTS)) {
        throw new RequestValidationError([
          { path: `pacing.${endpoint}`, message: 'is not a Content Insight endpoint' },
        ]);
      }
      if (limit === false) delete limits[endpoint];
      else if (limit !== undefined) limits[endpoint] = limit;
    }
  }
  return limits;
}

/** Synchronous realtime tasks (`sync_mode` > 0) may not match `tags`; an unknown mode gets the looser check. */
function realtimeRuleKind(syncMode: number | undefined): RuleKind {
  return syncMode !== undefined && syncMode > 0 ? 'realtime-sync' : 'realtime';
}

function validateStreamSettings(settings: StreamSettings | undefined): void {
  const issues = streamSettingsIssues(settings);
  if (issues.length > 0) throw new RequestValidationError(issues);
}

function validateTaskId(taskId: number): number {
  if (!Number.isSafeInteger(taskId) || taskId < 0) {
    throw new RequestValidationError([{ path: 'taskId', message: 'must be a non-negative integer' }]);
  }
  return taskId;
}
