import { formatInsightTime } from '@insight/protocol';
import { request } from 'undici';
import { createManualClock, createMockServer, type ManualClock, type MockServer } from '../../src/index.js';
import { DEFAULT_INSIGHT_ACCOUNT, type InsightModuleOptions } from '../../src/insight/index.js';
import { CONTROL_PREFIX } from '../../src/core/control.js';
import { until } from './wait.js';

/** Biz name of the default account. */
export const BIZ = DEFAULT_INSIGHT_ACCOUNT.bizName;
/** Secret of the default account. */
export const SECRET = DEFAULT_INSIGHT_ACCOUNT.secret;

/**
 * A JSON value as tests read it: field by field, without a schema, because the assertions on it are the check.
 */
// biome-ignore lint/suspicious/noExplicitAny: the single untyped type of the tests; every read of it is asserted.
export type Json = any;

/** An answer of the Insight API. */
export interface Answer {
  http: number;
  body: { status: number; message: string; data?: Json; result?: Json };
}

/** One server-sent event. */
export interface SseEvent {
  id: string;
  data: Json;
}

/** A running emulator with a manual clock and helpers to call it. */
export interface Harness {
  server: MockServer;
  clock: ManualClock;
  /** Calls the API; `token` is fetched once and reused unless given. */
  call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options?: {
      body?: unknown;
      rawBody?: string;
      query?: Record<string, string | number>;
      headers?: Record<string, string>;
    },
  ): Promise<Answer>;
  token(): Promise<string>;
  /** `yyyy-mm-dd HH:mm:ss` of `now + offsetMs`. */
  time(offsetMs?: number): string;
  /** Reads a stream until it ends, `max` events arrived, or `timeoutMs` passed; then closes it. */
  stream(
    path: string,
    query: Record<string, string | number>,
    options?: { max?: number; timeoutMs?: number },
  ): Promise<StreamRead>;
  /** Waits until `predicate` holds (see {@link until}). */
  until: typeof until;
  /** Loads data into the Content Insight module (`POST /_insight/seed`). */
  seed(body: Record<string, unknown>): Promise<Answer>;
  /** Forgets all state (`POST /_insight/reset`), the tokens included: the next call asks for a new one. */
  reset(): Promise<Answer>;
  close(): Promise<void>;
}

/** What reading a stream gave: its events and comments, and whether the server ended it. */
export interface StreamRead {
  events: SseEvent[];
  comments: string[];
  ended: boolean;
  /** The connection broke before the stream ended (the server died). */
  broken: boolean;
  http: number;
  body?: Json;
}

/**
 * Reads a server-sent event stream until it ends, `max` events arrived, or `timeoutMs` passed; then closes it. Events
 * that arrived in the same chunk as the `max`-th are kept: a consumer that stops may have read more than it handled.
 */
export async function readStream(
  url: string,
  headers: Record<string, string>,
  options: { max?: number; timeoutMs?: number } = {},
): Promise<StreamRead> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5_000);
  const response = await request(url, { method: 'GET', headers, signal: controller.signal });
  if (response.statusCode !== 200) {
    clearTimeout(timer);
    const body = await response.body.json();
    return { events: [], comments: [], ended: true, broken: false, http: response.statusCode, body };
  }
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  let broken = false;
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += chunk.toString();
      let cut = buffer.indexOf('\n\n');
      while (cut !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        let id = '';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data = line.slice(6);
        }
        if (data !== '') events.push({ id, data: JSON.parse(data) });
      }
      if (events.length >= max) break;
    }
    ended = events.length < max;
  } catch {
    broken = !controller.signal.aborted;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, comments, ended, broken, http: 200 };
}

/** A start time shared by the tests: a fixed instant keeps generated corpora identical between runs. */
export const T0 = Date.UTC(2025, 5, 1, 4, 0, 0);

/** Starts an emulator with the Insight module configured by `insight` (no corpus, no firehose unless asked). */
export async function startInsight(insight: InsightModuleOptions = {}, dataDir = ':memory:'): Promise<Harness> {
  const clock = createManualClock(T0);
  const server = await createMockServer({
    clock,
    dataDir,
    insight: { corpus: { size: 0 }, firehoseRate: 0, heartbeatMs: 200, ...insight },
  });
  let cachedToken: string | undefined;
  let fetchedAt = 0;
  const harness: Harness = {
    server,
    clock,
    async token() {
      // A fresh token once the clock has moved far: tests jump hours ahead to reach expiries.
      if (cachedToken === undefined || clock.now() - fetchedAt > 60 * 60_000) {
        fetchedAt = clock.now();
        const answer = await harness.call('GET', '/oauth/access_token', {
          headers: { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Biz-Secret': SECRET },
        });
        cachedToken = answer.body.data.access_token as string;
      }
      return cachedToken;
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const needsToken = !path.startsWith('/oauth') && !path.startsWith(CONTROL_PREFIX);
      if (needsToken && headers['X-Insight-Access-Token'] === undefined) {
        headers['X-Insight-Biz-Name'] ??= BIZ;
        headers['X-Insight-Access-Token'] = await harness.token();
      }
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      if (body !== undefined) headers['content-type'] = 'application/json';
      const query = options.query
        ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]): [string, string] => [k, String(v)]))}`
        : '';
      const response = await request(`${server.url}${path}${query}`, { method, headers, body });
      const text = await response.body.text();
      return { http: response.statusCode, body: JSON.parse(text) };
    },
    time(offsetMs = 0) {
      return formatInsightTime(clock.now() + offsetMs);
    },
    async stream(path, query, options = {}) {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
      const headers = { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Access-Token': await harness.token() };
      return readStream(`${server.url}${path}?${qs}`, headers, options);
    },
    until,
    seed: (body) => harness.call('POST', '/_insight/seed', { body: { module: 'insight', ...body } }),
    async reset() {
      const answer = await harness.call('POST', '/_insight/reset');
      cachedToken = undefined;
      return answer;
    },
    close: () => server.close(),
  };
  return harness;
}

/** A public post as an `item_doc`, published `agoMs` before the harness clock. */
export function doc(
  postId: string,
  title: string,
  agoMs: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    post_id: postId,
    origin_id: `o${postId}`,
    status: 1,
    publish_time: formatInsightTime(T0 - agoMs),
    title,
    ...extra,
  };
}
