/** Liveness probe of a ByteAir host: `GET` answers HTTP 200. */
export const PING = '/predict/api/ping';

function segment(name: string, value: string): string {
  if (value === '') throw new TypeError(`${name} must not be empty`);
  return encodeURIComponent(value);
}

/**
 * ByteAir request paths. Data-write paths carry their query string (`?method=write`, `?topic=`), which is part of the
 * signed request.
 */
export const byteAirPaths = {
  /** `/predict/api/{app}/{scene}`; the scene is `default` unless the application defines others. */
  predict: (app: string, scene = 'default'): string => `/predict/api/${segment('app', app)}/${segment('scene', scene)}`,
  /** `/predict/api/{app}/callback`. */
  callback: (app: string): string => `/predict/api/${segment('app', app)}/callback`,
  /** `/data/api/{app}/{topic}?method=write`: a JSON array of at most 10000 items. */
  writeData: (app: string, topic: string): string =>
    `/data/api/${segment('app', app)}/${segment('topic', topic)}?method=write`,
  /** `/data/api/{app}/done?topic={topic}`: marks a topic's data of a day complete. */
  done: (app: string, topic: string): string =>
    `/data/api/${segment('app', app)}/done?topic=${segment('topic', topic)}`,
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
