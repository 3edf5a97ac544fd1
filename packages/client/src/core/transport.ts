import { EventEmitter, setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipCapped } from '@insight/protocol';
import { Agent, type Dispatcher } from 'undici';
import { type BackoffOptions, computeBackoff, MAX_TIMER_MS, parseRetryAfter } from './backoff.js';
import {
  ApiError,
  CLIENT_CLOSED_CODE,
  ConnectionError,
  InsightError,
  RequestValidationError,
  ResponseValidationError,
  TimeoutError,
  UserAbortError,
  type ValidationIssue,
} from './errors.js';
import { createHostPool } from './host-pool.js';
import { type AttemptInfo, type Logger, redactHeaders } from './logging.js';
import { createRetryBudget, type RetryBudget } from './retry-budget.js';

/** HTTP methods the clients use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The request an auth hook signs: exactly what goes on the wire for this attempt. */
export interface SignableRequest {
  /** HTTP method. */
  method: HttpMethod;
  /** `host[:port]` as sent in the `Host` header. */
  host: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the leading `?` (empty when none). */
  query: string;
  /** Every header that will be sent, including `Host`. */
  headers: Readonly<Record<string, string>>;
  /** The body bytes as sent (empty when none). */
  body: Uint8Array;
}

/**
 * Returns the headers that authenticate one attempt. Runs again before every attempt, so that timestamps, nonces and
 * signatures are fresh each time.
 */
export type AuthHook = (request: SignableRequest) => Record<string, string> | Promise<Record<string, string>>;

/** An answer as the transport read it: decompressed body bytes and lower-case header names. */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Headers with lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body, gunzipped when the server sent `Content-Encoding: gzip`. */
  body: Uint8Array;
}

/** Settings shared by every call of one client. */
export interface TransportOptions {
  /** Base URLs (`scheme://host[:port]`) of the service; several enable failover. */
  hosts: readonly string[];
  /**
   * The undici dispatcher that carries the requests (proxies, custom TLS, keep-alive tuning, `MockAgent` in tests).
   * @default a keep-alive `Agent` owned by the client and closed by `close()`
   */
  dispatcher?: Dispatcher | undefined;
  /**
   * Per-attempt timeout, in ms, from sending to the last byte of the answer: an integer from 1 to 2147483647.
   * @default 60000
   */
  timeout?: number | undefined;
  /** Retries after the first attempt, a non-negative integer (0 disables retrying). @default 2 */
  maxRetries?: number | undefined;
  /**
   * Delays between attempts; `baseMs` and `capMs` are finite numbers from 0 to 2147483647.
   * @default `{ baseMs: 100, capMs: 5000 }`
   */
  backoff?: BackoffOptions | undefined;
  /** Client-wide retry allowance. @default a fresh `createRetryBudget()` */
  retryBudget?: RetryBudget | undefined;
  /** Largest answer accepted, in bytes, before and after gunzip. @default 16777216 (16 MiB) */
  maxResponseBytes?: number | undefined;
  /** Headers sent with every call. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Signs each attempt. */
  authenticate?: AuthHook | undefined;
  /**
   * Called once per call when an attempt fails with an `auth` error: refresh the credentials and return `true` to
   * replay the call at once (the replay is not counted as a retry).
   */
  refreshAuth?: ((error: ApiError) => boolean | Promise<boolean>) | undefined;
  /** Receives one line per attempt, credentials redacted. */
  logger?: Logger | undefined;
  /** Called after every attempt, e.g. to feed metrics. */
  onAttempt?: ((info: AttemptInfo) => void) | undefined;
}

/** The settings every client of this package takes as they are and hands to its transport. */
export type SharedClientOptions = Pick<
  TransportOptions,
  'dispatcher' | 'backoff' | 'retryBudget' | 'logger' | 'onAttempt'
>;

/** Per-call overrides of the client's settings. */
export interface CallOptions {
  /** Per-attempt timeout for this call, in ms: an integer from 1 to 2147483647. */
  timeout?: number | undefined;
  /** Retries for this call, a non-negative integer. */
  maxRetries?: number | undefined;
  /** Aborts the call, including any wait between attempts. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Called after every attempt of this call, in addition to the client's hook. */
  onAttempt?: ((info: AttemptInfo) => void) | undefined;
}

/** Query parameters; `undefined` values are left out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | undefined>>;

/** What the client layer asks the transport to send. */
export interface RequestSpec {
  /** Stable operation name for logs and metrics, e.g. `byteair.callback`. */
  route: string;
  /** HTTP method. */
  method: HttpMethod;
  /** Path under the base URL, starting with `/`. */
  path: string;
  /** Query parameters, in the order given. */
  query?: QueryParams | undefined;
  /** Headers of this request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** The body; strings are sent as UTF-8. A body on `GET` is sent too. */
  body?: Uint8Array | string | undefined;
  /** The id that identifies this call on every attempt (the caller puts it in the header the service expects). */
  requestId: string;
  /**
   * Whether the service recognises a replay (same request id, idempotent operation). When false, only failures that
   * prove the request was not processed (refused connections, throttling) are retried.
   */
  replaySafe: boolean;
  /**
   * Runs before every attempt, retries included, e.g. to wait for a rate limiter's slot. Its signal fires when the
   * caller's signal aborts or the client closes, and the call then ends with `UserAbortError` or the closed-client
   * `ConnectionError`; any other error it throws ends the call as it is.
   */
  beforeAttempt?: ((signal: AbortSignal) => Promise<void>) | undefined;
}

/** What the transport knows, when an answer arrives, about the attempts of the call that came before it. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Whether an earlier attempt of this call may have reached the service and been applied: it failed other than by a
   * connection that never carried the request (`ConnectionError.notSent`) or a throttling refusal (HTTP or body 429,
   * any `throttling` error). False on a first attempt.
   */
  earlierAttemptMayHaveApplied: boolean;
  /**
   * Set by `parse` to the service's own code of an answer it accepts (ByteAir's body `code`: 0, or the 409 of a replay),
   * so that the attempt's report tells "applied now" from "applied before".
   */
  code?: number | undefined;
}

/** A request whose answer is read in full and turned into a value. */
export interface BufferedRequestSpec<T> extends RequestSpec {
  /** Turns the answer into the result, or throws an `ApiError`/`ResponseValidationError`. */
  parse(response: RawResponse, attempt: number, context: AttemptContext): T;
}

/** A request whose successful answer is consumed as a stream (server-sent events). */
export interface StreamRequestSpec extends RequestSpec {
  /** Turns a non-2xx answer into the error to throw. */
  parseError(response: RawResponse): InsightError;
}

/** A successful streamed answer. */
export interface StreamResponse {
  /** HTTP status (2xx). */
  status: number;
  /** Headers with lower-case names. */
  headers: Record<string, string>;
  /** The body bytes as they arrive; destroy it to stop early. The caller's signal stays linked to it. */
  body: Readable;
  /** The request id of the call. */
  requestId: string;
}

/** The HTTP engine under both clients: timeouts, retries, failover, auth hooks and per-attempt observability. */
export interface Transport {
  /** Sends a request and parses its answer, retrying as configured. */
  request<T>(spec: BufferedRequestSpec<T>, options?: CallOptions): Promise<T>;
  /** Sends a request and returns its body as a stream once a 2xx status arrives; retries only until then. */
  stream(spec: StreamRequestSpec, options?: CallOptions): Promise<StreamResponse>;
  /**
   * Closes the transport. Calls waiting between attempts (a backoff delay, a `beforeAttempt` wait) end at once, and
   * calls made afterwards fail at once, with a `ConnectionError` (code `ERR_CLIENT_CLOSED`, `notSent`); an attempt
   * already on the wire runs to its end and is not retried. Resolves once the dispatcher, when the transport created
   * it, has closed, which waits for the attempts on the wire.
   */
  close(): Promise<void>;
}

/** A call ended because `close()` was called on its client: nothing more was sent. */
class ClientClosedError extends ConnectionError {
  constructor(spec: RequestSpec, attempts: number, cause?: unknown) {
    super(`${spec.method} ${spec.path} not sent: the client was closed`, {
      requestId: spec.requestId,
      code: CLIENT_CLOSED_CODE,
      cause,
    });
    this.attempts = attempts;
  }
}

/** Default per-attempt timeout, in ms. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 2;
/** Default cap on answer size, in bytes. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** The longest per-attempt timeout, in ms: the longest delay a Node.js timer honours (2^31 - 1). */
export const MAX_TIMEOUT_MS = MAX_TIMER_MS;

const TIMEOUT_RULE = `must be an integer from 1 to ${MAX_TIMEOUT_MS} (ms)`;
const RETRIES_RULE = 'must be a non-negative integer';
const DELAY_RULE = `must be a finite number from 0 to ${MAX_TIMER_MS} (ms)`;

const isTimeout = (value: unknown): boolean =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_TIMEOUT_MS;
const isRetryCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
const isDelay = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS;

const TIMING_RULES = {
  timeout: [isTimeout, TIMEOUT_RULE],
  delay: [isDelay, DELAY_RULE],
  count: [isRetryCount, RETRIES_RULE],
} as const;

/**
 * The rules of {@link checkTransportSettings}: `timeout` the rule of `timeout`, `delay` that of `backoff.baseMs` and
 * `backoff.capMs`, `count` that of `maxRetries`.
 */
export type TimingKind = keyof typeof TIMING_RULES;

/** The problem of any other timing setting, checked by the same rules and named by `path`; undefined when valid or absent. */
export function timingIssue(path: string, kind: TimingKind, value: unknown): ValidationIssue | undefined {
  const [isValid, rule] = TIMING_RULES[kind];
  return value === undefined || isValid(value) ? undefined : { path, message: `${rule}, got ${show(value)}` };
}

/** A value as it appears in an error message. */
function show(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/**
 * Checks the client-wide timing settings: `timeout` an integer from 1 to 2147483647 ms, `maxRetries` a non-negative
 * integer, `backoff.baseMs` and `backoff.capMs` finite numbers from 0 to 2147483647 ms. Node.js turns a timer delay
 * that is infinite, NaN or 2^31 ms or more into 1 ms, so such a value would time out every attempt at once.
 *
 * @param caller names the function in the message, e.g. `createByteAirClient`
 * @throws TypeError naming the offending field
 */
export function checkTransportSettings(
  settings: Pick<TransportOptions, 'timeout' | 'maxRetries' | 'backoff'>,
  caller = 'createTransport',
): void {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new TypeError(`${caller}: ${field} ${rule}, got ${show(value)}`);
  };
  const { timeout, maxRetries, backoff } = settings;
  if (timeout !== undefined && !isTimeout(timeout)) fail('timeout', TIMEOUT_RULE, timeout);
  if (maxRetries !== undefined && !isRetryCount(maxRetries)) fail('maxRetries', RETRIES_RULE, maxRetries);
  if (backoff === undefined) return;
  if (typeof backoff !== 'object' || backoff === null)
    fail('backoff', 'must be an object { baseMs?, capMs? }', backoff);
  for (const field of ['baseMs', 'capMs'] as const) {
    const value = backoff[field];
    if (value !== undefined && !isDelay(value)) fail(`backoff.${field}`, DELAY_RULE, value);
  }
}

/** Problems of the per-call `timeout` and `maxRetries` (the same rules as the client-wide settings). */
export function callOptionIssues(call: Pick<CallOptions, 'timeout' | 'maxRetries'>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (call.timeout !== undefined && !isTimeout(call.timeout)) {
    issues.push({ path: 'timeout', message: `${TIMEOUT_RULE}, got ${show(call.timeout)}` });
  }
  if (call.maxRetries !== undefined && !isRetryCount(call.maxRetries)) {
    issues.push({ path: 'maxRetries', message: `${RETRIES_RULE}, got ${show(call.maxRetries)}` });
  }
  return issues;
}

type StreamBody = Dispatcher.ResponseData['body'];

/** An answer: read in full, or (2xx in stream mode) still streaming. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | StreamBody;
}

interface Target {
  base: string;
  authority: string;
}

interface Sent {
  status?: number;
  code?: number;
  headers: Record<string, string>;
}

/**
 * Parses and checks base URLs: `http(s)://host[:port]` with no path, query or credentials.
 *
 * @throws TypeError naming the offending entry
 */
export function normaliseBaseUrls(hosts: readonly string[], field = 'hosts'): string[] {
  if (hosts.length === 0) throw new TypeError(`${field} must list at least one base URL`);
  return hosts.map((raw, i) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TypeError(
        `${field}[${i}] must be an absolute URL like https://host[:port], got ${JSON.stringify(raw)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`${field}[${i}] must use http or https, got ${url.protocol}`);
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
      throw new TypeError(`${field}[${i}] must be scheme://host[:port] only, got ${JSON.stringify(raw)}`);
    }
    return url.origin;
  });
}

/**
 * Creates the transport of one client.
 *
 * @throws TypeError when a base URL, `timeout`, `maxRetries` or `backoff` is invalid (see {@link checkTransportSettings})
 */
export function createTransport(options: TransportOptions): Transport {
  checkTransportSettings(options);
  const targets = new Map<string, Target>(
    normaliseBaseUrls(options.hosts).map((base) => [base, { base, authority: new URL(base).host }]),
  );
  const pool = createHostPool([...targets.keys()]);
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent();
  const budget = options.retryBudget ?? createRetryBudget();
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const { logger, authenticate, refreshAuth } = options;
  // Fires on close(): ends the waits between attempts, and marks the transport closed. Every call waiting between
  // attempts listens to it, so it has no listener limit.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal);

  function shouldRetry(error: InsightError, replaySafe: boolean): boolean {
    if (error instanceof ConnectionError) return replaySafe || error.notSent;
    if (error instanceof ApiError) return error.retryable && (replaySafe || error.errorClass === 'throttling');
    return false;
  }

  /**
   * Hands one attempt to the hooks and the logger. Never throws: a throwing hook is logged, and a throwing logger is
   * ignored (there is nothing left to report it to), so that observing a call can never change its outcome.
   */
  function report(info: AttemptInfo, call: CallOptions): void {
    const hooks = [options.onAttempt, call.onAttempt];
    for (const hook of hooks) {
      if (!hook) continue;
      try {
        hook(info);
      } catch (hookError) {
        try {
          logger?.error('onAttempt hook threw', { route: info.route, requestId: info.requestId, error: hookError });
        } catch {
          // A throwing logger has nowhere to be reported.
        }
      }
    }
    if (!logger) return;
    try {
      const outcome = info.status ?? info.error?.name ?? 'ok';
      const code = info.code === undefined ? '' : ` code=${info.code}`;
      const line = `${info.route} ${info.method} ${info.path} -> ${outcome}${code} in ${info.latencyMs} ms (attempt ${info.attempt}, request ${info.requestId})`;
      const { error, ...fields } = info;
      const data = error ? { ...fields, error: error.message } : fields;
      if (!info.error) logger.debug(line, data);
      else if (info.willRetry) logger.warn(line, data);
      else logger.error(line, data);
    } catch {
      // A throwing logger has nowhere to be reported.
    }
  }

  async function send(
    target: Target,
    spec: RequestSpec,
    body: Uint8Array,
    pathWithQuery: string,
    queryString: string,
    call: CallOptions,
    sent: Sent,
    mode: 'buffer' | 'stream',
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      ...options.headers,
      ...spec.headers,
      ...call.headers,
      Host: target.authority,
    };
    if (authenticate) {
      const auth = authenticate({
        method: spec.method,
        host: target.authority,
        path: spec.path,
        query: queryString,
        headers,
        body,
      });
      // A synchronous signer (ByteAir's) does not wait a turn of the event loop.
      Object.assign(headers, typeof (auth as PromiseLike<unknown>).then === 'function' ? await auth : auth);
    }
    sent.headers = headers;
    const timeoutMs = call.timeout ?? options.timeout ?? DEFAULT_TIMEOUT_MS;
    // undici takes an EventEmitter as `signal` (a documented alternative to AbortSignal): in Node 20 an
    // AbortController with its EventTarget listeners costs more CPU than the rest of a small request's client side.
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, timeoutMs);
    const userSignal = call.signal;
    const onUserAbort = () => abort.emit('abort');
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    const release = () => {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    };
    const fail = (cause: unknown): InsightError => {
      if (cause instanceof InsightError) return cause;
      const code = (cause as { code?: unknown })?.code;
      // The owned Agent refuses a request made after close() began (while an async auth hook ran, say).
      if (closing.signal.aborted && (code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED')) {
        return new ClientClosedError(spec, 0, cause);
      }
      if (userSignal?.aborted) return new UserAbortError({ requestId: spec.requestId, cause });
      if (timedOut) return new TimeoutError(timeoutMs, { requestId: spec.requestId, host: target.base, cause });
      // undici refuses malformed requests (a header value with a newline, …) before sending: a bug to fix, not retry.
      if (code === 'UND_ERR_INVALID_ARG') {
        const issue = { path: 'request', message: (cause as Error).message };
        return new RequestValidationError([issue], { requestId: spec.requestId, cause });
      }
      return new ConnectionError(`${spec.method} ${target.base}${spec.path} failed: ${(cause as Error)?.message}`, {
        requestId: spec.requestId,
        host: target.base,
        code: typeof code === 'string' ? code : undefined,
        cause,
      });
    };
    try {
      if (userSignal?.aborted) throw new UserAbortError({ requestId: spec.requestId });
      const response = await dispatcher.request({
        origin: target.base,
        path: pathWithQuery,
        method: spec.method,
        headers,
        body: body.length > 0 ? body : undefined,
        signal: abort,
      });
      sent.status = response.statusCode;
      const responseHeaders = flattenHeaders(response.headers);
      if (mode === 'stream' && response.statusCode >= 200 && response.statusCode < 300) {
        // The timeout bounds the wait for the answer; a stream then lives as long as its consumer wants.
        clearTimeout(timer);
        response.body.once('close', release);
        return { status: response.statusCode, headers: responseHeaders, body: response.body };
      }
      const raw = await readBody(response.body, responseHeaders, maxResponseBytes, spec.requestId, response.statusCode);
      release();
      return { status: response.statusCode, headers: responseHeaders, body: raw };
    } catch (cause) {
      release();
      throw fail(cause);
    }
  }

  async function execute<T>(
    spec: RequestSpec,
    call: CallOptions,
    mode: 'buffer' | 'stream',
    finish: (answer: Answer, context: AttemptContext) => T,
  ): Promise<T> {
    const issues = callOptionIssues(call);
    if (issues.length > 0) throw new RequestValidationError(issues, { requestId: spec.requestId });
    const body = typeof spec.body === 'string' ? Buffer.from(spec.body) : (spec.body ?? EMPTY);
    const queryString = encodeQuery(spec.query);
    const pathWithQuery = queryString ? `${spec.path}?${queryString}` : spec.path;
    const maxRetries = call.maxRetries ?? options.maxRetries ?? DEFAULT_MAX_RETRIES;
    // Hosts that refused this call; most calls succeed at once and never need the set.
    let tried: Set<string> | undefined;
    const listening = Boolean(logger || options.onAttempt || call.onAttempt);
    let retries = 0;
    let spent = 0;
    let refreshed = false;
    let earlierAttemptMayHaveApplied = false;
    for (let attempt = 1; ; attempt++) {
      const target = targets.get(pool.pick(tried))!;
      const started = listening ? performance.now() : 0;
      const sent: Sent = { headers: {} };
      let result: T;
      let error: InsightError | undefined;
      if (spec.beforeAttempt) await pause(spec, call, attempt - 1, spec.beforeAttempt);
      if (closing.signal.aborted) throw new ClientClosedError(spec, attempt - 1);
      try {
        const response = await send(target, spec, body, pathWithQuery, queryString, call, sent, mode);
        const context: AttemptContext = { attempt, earlierAttemptMayHaveApplied };
        result = finish(response, context);
        sent.code = context.code;
      } catch (cause) {
        error =
          cause instanceof InsightError
            ? cause
            : new ResponseValidationError(`could not read the answer: ${(cause as Error)?.message}`, {
                requestId: spec.requestId,
                status: sent.status ?? 0,
                cause,
              });
      }
      if (error === undefined) {
        // Outside the try: the bookkeeping and reporting of a success cannot turn it into a failure.
        budget.recordSuccess(spent);
        pool.markUp(target.base);
        if (listening) {
          const latencyMs = Math.round(performance.now() - started);
          report(attemptInfo(spec, target, pathWithQuery, attempt, sent, latencyMs, undefined, false), call);
        }
        return result!;
      }
      error.attempts = attempt;
      if (mayHaveApplied(error)) earlierAttemptMayHaveApplied = true;
      if (error instanceof ApiError) {
        sent.code = error.code;
        sent.status = error.status;
      }
      if (error instanceof ConnectionError) {
        pool.markDown(target.base);
        tried ??= new Set();
        tried.add(target.base);
      }
      let willRetry = false;
      let retryDelayMs: number | undefined;
      if (closing.signal.aborted) {
        // A closed transport makes no more attempts: the call ends with what this one met.
      } else if (error instanceof ApiError && error.errorClass === 'auth' && refreshAuth && !refreshed) {
        refreshed = true;
        willRetry = await refreshAuth(error);
        retryDelayMs = 0;
      } else if (error instanceof ConnectionError && error.notSent && tried!.size < targets.size) {
        // The request never left, and a host not tried yet remains: moving to it is no retry, and costs none of
        // `maxRetries` or the budget (with one try per host, a dead host cannot take a call down with it).
        willRetry = true;
        retryDelayMs = 0;
      } else if (retries < maxRetries && shouldRetry(error, spec.replaySafe)) {
        const cost = budget.tryAcquire(error instanceof TimeoutError);
        if (cost !== false) {
          spent += cost;
          willRetry = true;
          const failingOver = error instanceof ConnectionError && tried!.size < targets.size;
          retryDelayMs = failingOver
            ? 0
            : ((error instanceof ApiError ? parseRetryAfter(error.headers['retry-after']) : undefined) ??
              computeBackoff(retries, options.backoff));
          retries++;
        }
      }
      if (listening) {
        const latencyMs = Math.round(performance.now() - started);
        report(
          attemptInfo(spec, target, pathWithQuery, attempt, sent, latencyMs, error, willRetry, retryDelayMs),
          call,
        );
      }
      if (!willRetry) throw error;
      const waitMs = retryDelayMs;
      if (waitMs) await pause(spec, call, attempt, (signal) => delay(waitMs, undefined, { signal }));
    }
  }

  /**
   * Runs a wait between attempts with a signal that fires when the caller aborts or the transport closes; either ends
   * the call at once (even when `wait` ignores its signal), with `UserAbortError` or the closed-client error, carrying
   * the count of attempts made.
   */
  async function pause(
    spec: RequestSpec,
    call: CallOptions,
    attempts: number,
    wait: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<void> {
    const userSignal = call.signal;
    const stop = new AbortController();
    const abort = () => stop.abort();
    if (closing.signal.aborted || userSignal?.aborted) {
      abort();
    } else {
      const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
      userSignal?.addEventListener('abort', abort, { once: true });
      closing.signal.addEventListener('abort', abort, { once: true });
      try {
        await Promise.race([wait(stop.signal), stopped]);
      } catch (cause) {
        if (!stop.signal.aborted) throw cause;
      } finally {
        userSignal?.removeEventListener('abort', abort);
        closing.signal.removeEventListener('abort', abort);
      }
    }
    if (!stop.signal.aborted) return;
    if (closing.signal.aborted) throw new ClientClosedError(spec, attempts);
    const aborted = new UserAbortError({ requestId: spec.requestId, cause: userSignal?.reason });
    aborted.attempts = attempts;
    throw aborted;
  }

  function attemptInfo(
    spec: RequestSpec,
    target: Target,
    path: string,
    attempt: number,
    sent: Sent,
    latencyMs: number,
    error: InsightError | undefined,
    willRetry: boolean,
    retryDelayMs?: number,
  ): AttemptInfo {
    return {
      route: spec.route,
      method: spec.method,
      host: target.base,
      path,
      attempt,
      requestId: spec.requestId,
      status: sent.status,
      code: sent.code,
      latencyMs,
      error,
      willRetry,
      retryDelayMs,
      headers: redactHeaders(sent.headers),
    };
  }

  return {
    request(spec, call = {}) {
      return execute(spec, call, 'buffer', (answer, context) =>
        spec.parse(answer as RawResponse, context.attempt, context),
      );
    },
    stream(spec, call = {}) {
      return execute(spec, call, 'stream', ({ status, headers, body }) => {
        if (body instanceof Uint8Array) throw spec.parseError({ status, headers, body });
        return { status, headers, body, requestId: spec.requestId };
      });
    },
    async close() {
      closing.abort();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

const EMPTY = new Uint8Array(0);

/**
 * Whether a failed attempt may have reached the service and been applied. Only a connection that never carried the
 * request and a throttling refusal prove that it was not.
 */
function mayHaveApplied(error: InsightError): boolean {
  if (error instanceof ConnectionError) return !error.notSent;
  if (error instanceof ApiError) return error.errorClass !== 'throttling';
  return true;
}

function encodeQuery(query: QueryParams | undefined): string {
  let params: URLSearchParams | undefined;
  for (const name in query) {
    const value = query[name];
    if (value === undefined) continue;
    // Most calls carry no query at all: build the URLSearchParams only for one that has a value.
    params ??= new URLSearchParams();
    params.append(name, String(value));
  }
  return params?.toString() ?? '';
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(
  body: Dispatcher.ResponseData['body'],
  headers: Record<string, string>,
  maxBytes: number,
  requestId: string,
  status: number,
): Promise<Uint8Array> {
  const declared = Number(headers['content-length']);
  if (declared > maxBytes) {
    body.destroy();
    throw new ResponseValidationError(`answer exceeds ${maxBytes} bytes`, { requestId, status });
  }
  // A declared length within the cap lets undici collect the body in one go; otherwise count as it streams in.
  if (Number.isInteger(declared)) return decodeBody(await body.bytes(), headers, maxBytes, requestId, status);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new ResponseValidationError(`answer exceeds ${maxBytes} bytes`, { requestId, status });
    }
    chunks.push(chunk as Buffer);
  }
  return decodeBody(
    chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
    headers,
    maxBytes,
    requestId,
    status,
  );
}

function decodeBody(
  bytes: Uint8Array,
  headers: Record<string, string>,
  maxBytes: number,
  requestId: string,
  status: number,
): Uint8Array {
  if (headers['content-encoding']?.toLowerCase() !== 'gzip' || bytes.length === 0) return bytes;
  try {
    return gunzipCapped(bytes, { maxBytes });
  } catch (cause) {
    throw new ResponseValidationError(`could not gunzip the answer: ${(cause as Error).message}`, {
      requestId,
      status,
      cause,
    });
  }
}
