/** One ByteAir endpoint: its method, path pattern and the query it always carries. */
export interface ByteAirEndpoint {
  readonly method: 'GET' | 'POST';
  /** Path pattern: a `:name` segment stands for a value of the call (`:app`, `:scene`, `:topic`). */
  readonly path: string;
  /** Query parameters of every call; a value `:name` stands for a value of the call, like a path segment. */
  readonly query?: Readonly<Record<string, string>>;
}

/** Every ByteAir endpoint. The emulator routes these patterns; {@link byteAirPaths} fills them in for a call. */
export const BYTEAIR_ENDPOINTS = {
  /** Liveness probe of a host: answers HTTP 200. */
  ping: { method: 'GET', path: '/predict/api/ping' },
  /** Protobuf `PredictRequest` → `PredictResponse`. */
  predict: { method: 'POST', path: '/predict/api/:app/:scene' },
  /** Protobuf `CallbackRequest` → `CallbackResponse`. */
  callback: { method: 'POST', path: '/predict/api/:app/callback' },
  /** A JSON array of at most 10000 rows → protobuf `WriteResponse`. */
  writeData: { method: 'POST', path: '/data/api/:app/:topic', query: { method: 'write' } },
  /** Marks a topic's data of some days complete → protobuf `WriteResponse`. */
  done: { method: 'POST', path: '/data/api/:app/done', query: { topic: ':topic' } },
} as const satisfies Record<string, ByteAirEndpoint>;

/** Name of a ByteAir endpoint. */
export type ByteAirEndpointName = keyof typeof BYTEAIR_ENDPOINTS;

/** The scene of a predict call that names none. */
export const BYTEAIR_DEFAULT_SCENE = 'default';

/**
 * Where one ByteAir call goes: the path with its segments percent-encoded, and the query parameters the endpoint
 * carries, not yet encoded (a sender appends its own, e.g. `stage`, and encodes them all). The signature covers both.
 */
export interface ByteAirTarget {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

const PARAM = /:(\w+)/g;

/** Fills in an endpoint's `:name` placeholders. @throws TypeError when a value is missing or empty. */
function target(endpoint: ByteAirEndpoint, values: Readonly<Record<string, string>>): ByteAirTarget {
  const value = (name: string): string => {
    const given = values[name];
    if (!given) throw new TypeError(`${name} must not be empty`);
    return given;
  };
  const query: Record<string, string> = {};
  for (const [name, fixed] of Object.entries(endpoint.query ?? {})) {
    query[name] = fixed.startsWith(':') ? value(fixed.slice(1)) : fixed;
  }
  return { path: endpoint.path.replace(PARAM, (_, name: string) => encodeURIComponent(value(name))), query };
}

/** The {@link ByteAirTarget} of each ByteAir call. */
export const byteAirPaths = {
  /** `/predict/api/{app}/{scene}`; the scene is `default` unless the application defines others. */
  predict: (app: string, scene: string = BYTEAIR_DEFAULT_SCENE): ByteAirTarget =>
    target(BYTEAIR_ENDPOINTS.predict, { app, scene }),
  /** `/predict/api/{app}/callback`. */
  callback: (app: string): ByteAirTarget => target(BYTEAIR_ENDPOINTS.callback, { app }),
  /** `/data/api/{app}/{topic}?method=write`. */
  writeData: (app: string, topic: string): ByteAirTarget => target(BYTEAIR_ENDPOINTS.writeData, { app, topic }),
  /** `/data/api/{app}/done?topic={topic}`. */
  done: (app: string, topic: string): ByteAirTarget => target(BYTEAIR_ENDPOINTS.done, { app, topic }),
} as const;

/** One Content Insight endpoint: method, path and the vendor's documented rate limits. */
export interface InsightEndpoint {
  /** `GET` calls may still carry a JSON body (preview, sensitive words check). */
  readonly method: 'GET' | 'POST';
  /** Path under {@link INSIGHT_BASE_URL}, without a query. */
  readonly path: string;
  /** Documented requests per second, when the vendor documents one. */
  readonly qps?: number;
  /** Documented requests per day, when the vendor documents one. */
  readonly dailyLimit?: number;
}

/** Production base URL of Content Insight (HTTPS only, behind an IP allow-list). */
export const INSIGHT_BASE_URL = 'https://insight.volcengineapi.com';

/** Every Content Insight endpoint with its method, path and documented rate limits. */
export const INSIGHT_ENDPOINTS = {
  /** Headers `X-Insight-Biz-Name` and `X-Insight-Biz-Secret`; answers `{access_token, expire}`. */
  accessToken: { method: 'GET', path: '/oauth/access_token', qps: 5 },
  /** JSON body `{rule, start_time, end_time, de_duplicate}`; answers a rough `count`. */
  backtrackPreview: { method: 'GET', path: '/openapi/backtrack/preview_task' },
  backtrackCreate: { method: 'POST', path: '/openapi/backtrack/create_task' },
  /** `?task_id=N`. */
  backtrackTaskInfo: { method: 'GET', path: '/openapi/backtrack/get_task_info' },
  realtimeCreate: { method: 'POST', path: '/openapi/biz_sub/create_task', qps: 5 },
  realtimeUpdate: { method: 'POST', path: '/openapi/biz_sub/update_task', qps: 5 },
  /** `?task_id=N`. */
  realtimeTaskRule: { method: 'GET', path: '/openapi/biz_sub/get_task_rule' },
  realtimeTaskRules: { method: 'GET', path: '/openapi/biz_sub/get_task_rules' },
  /** JSON body `{words}`. */
  sensitiveWordsCheck: { method: 'GET', path: '/openapi/biz_sub/sensitive_words_check', qps: 10, dailyLimit: 10_000 },
  /** Server-sent events; `?collector=&start_offset=&sync_only=`. */
  realtimeStream: { method: 'GET', path: '/openapi/item/sse/stream', qps: 200 },
  /** Server-sent events; `?task_id=N&collector=&start_offset=`. */
  backtrackStream: { method: 'GET', path: '/openapi/item/sse/backtrack/stream', qps: 50 },
  search: { method: 'POST', path: '/openapi/item/search', qps: 20 },
  queryById: { method: 'GET', path: '/openapi/item/query_by_id' },
} as const satisfies Record<string, InsightEndpoint>;

/** Name of a Content Insight endpoint. */
export type InsightEndpointName = keyof typeof INSIGHT_ENDPOINTS;

/** Content Insight request paths by endpoint name. */
export const INSIGHT_PATHS = Object.fromEntries(
  Object.entries(INSIGHT_ENDPOINTS).map(([name, endpoint]) => [name, endpoint.path]),
) as { readonly [K in InsightEndpointName]: (typeof INSIGHT_ENDPOINTS)[K]['path'] };
