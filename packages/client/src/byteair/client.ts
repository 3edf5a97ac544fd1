import { randomUUID } from 'node:crypto';
import {
  BYTEAIR_DEFAULT_SCENE,
  BYTEAIR_HEADERS,
  BYTEAIR_LIMITS,
  BYTEAIR_SUCCESS_CODES,
  type ByteAirTarget,
  byteAirError,
  byteAirPaths,
  CallbackRequest,
  CallbackResponse,
  CONTENT_END,
  CONTENT_TYPES,
  classifyHttpStatus,
  decodeMessage,
  encodeMessage,
  gunzipCapped,
  gzipBody,
  isGzip,
  type MessageType,
  PredictRequest,
  PredictResponse,
  signByteAirRequest,
  toPartitionDate,
  WriteResponse,
} from '@insight/protocol';
import {
  ApiError,
  InsightError,
  RequestValidationError,
  ResponseValidationError,
  type ValidationIssue,
} from '../core/errors.js';
import {
  type AttemptContext,
  callOptionIssues,
  timingIssue,
  checkTransportSettings,
  createTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  type RawResponse,
  type SharedClientOptions,
  type Transport,
} from '../core/transport.js';
import {
  type CallbackQueue,
  type CallbackQueueOptions,
  createCallbackQueue,
  type PreparedCallback,
} from './callback-queue.js';
import type {
  ByteAirCallOptions,
  DataDate,
  DoneOptions,
  MessageInit,
  PredictOptions,
  WriteDataOptions,
} from './types.js';
import {
  callbackIssues,
  doneIssues,
  formatDay,
  isWellFormed,
  jsonRowIssues,
  messageInputIssues,
  predictIssues,
  writeDataIssues,
} from './validation.js';

/** ByteAir credentials: an air-auth token, or a Volcengine access key pair (the service's default mode). */
export type ByteAirAuth = { token: string } | { accessKey: string; secretKey: string; region?: string | undefined };

/** Settings of a {@link ByteAirClient}. */
export interface ByteAirClientOptions extends SharedClientOptions {
  /** The tenant (account) id, sent as `Tenant-Id` and covered by the air-auth signature. */
  tenantId: string;
  /** The application id in every URL. */
  applicationId: string;
  /** Service hosts, `host[:port]` without scheme; with several, a host that refuses or times out is failed over. */
  hosts: readonly string[];
  /** URL scheme. @default 'https' */
  scheme?: 'https' | 'http' | undefined;
  /** How calls are signed. */
  auth: ByteAirAuth;
  /** Per-attempt timeout, in ms (the official SDKs' default): an integer from 1 to 2147483647. @default 1000 */
  timeout?: number | undefined;
  /** Retries after the first attempt, all with the same `Request-Id`: a non-negative integer. @default 2 */
  maxRetries?: number | undefined;
}

/** A client of the ByteAir recommendation API. Requests and answers are the generated protobuf messages. */
export interface ByteAirClient {
  /**
   * Asks for recommendations for one user in one scene (`options.scene`, default `default`).
   *
   * @throws RequestValidationError before sending when `user.uid` is missing, `size` is not an integer from 0 to
   *   2147483647, or the scene is not a plain path segment.
   */
  predict(request: MessageInit<PredictRequest>, options?: PredictOptions): Promise<PredictResponse>;
  /**
   * Reports what one delivery showed (and filtered), so that later predictions leave it out. An empty `scene` is
   * sent as `default`; a given one is never replaced. A `409` answer resolves like a success when an earlier attempt
   * of this call may have been applied (it timed out, lost its answer or failed with a 5xx), or with `replay: true`.
   *
   * @throws RequestValidationError before sending when `uid` or `items` are missing, an item is not an object or has
   *   no id or a non-JSON `extra`, `Enable-Spm-Route: true` is set without `context.spm`, a per-call header is one the
   *   client sets itself, or the per-call `timeout` or `maxRetries` is out of range.
   */
  callback(request: MessageInit<CallbackRequest>, options?: ByteAirCallOptions): Promise<CallbackResponse>;
  /**
   * Writes up to 10 000 rows of one topic (`POST /data/api/{app}/{topic}?method=write`, a gzipped JSON array). An
   * answer that refuses rows one by one resolves like a success, whatever its `status.code`: the refused rows are in
   * `errors` (each message names its row), and the others were applied, so read `errors` before moving on. A write
   * whose answer was lost and whose retry finds it applied resolves with `status.code` 409 and no `errors`: which rows
   * the first attempt refused is then unknown (send the rows again under a new `requestId` if that matters).
   */
  writeData(data: readonly Record<string, unknown>[], options: WriteDataOptions): Promise<WriteResponse>;
  /** Declares the days of a topic complete (`POST /data/api/{app}/done?topic=…`). */
  done(options: DoneOptions): Promise<WriteResponse>;
  /** A queue that sends callbacks in the background, for request paths that must not wait on them. */
  createCallbackQueue(options: CallbackQueueOptions): CallbackQueue;
  /** Releases the connection pool (when the client created it). Close callback queues first. */
  close(): Promise<void>;
}

/** Default per-attempt timeout of ByteAir calls, in ms: the official SDKs' one second. */
export const BYTEAIR_DEFAULT_TIMEOUT_MS = BYTEAIR_LIMITS.defaultTimeoutMs;
/** The scene used when none is given. */
export const DEFAULT_SCENE = BYTEAIR_DEFAULT_SCENE;

const HOST = /^[^\s/?#@]+$/;

/** Headers the client writes itself; a caller-given copy would be sent twice under another spelling. */
const MANAGED_HEADERS: ReadonlySet<string> = new Set(
  [
    ...Object.values(BYTEAIR_HEADERS).filter((name) => name !== BYTEAIR_HEADERS.enableSpmRoute),
    'Host',
    'Content-Length',
  ].map((name) => name.toLowerCase()),
);

/** Creates a ByteAir client. Validates its options at once, throwing a `TypeError` that names the bad field. */
export function createByteAirClient(options: ByteAirClientOptions): ByteAirClient {
  const { tenantId, applicationId, auth } = checkOptions(options);
  const scheme = options.scheme ?? 'https';
  const credentials = { tenantId, ...auth };
  const transport: Transport = createTransport({
    hosts: options.hosts.map((host) => `${scheme}://${host}`),
    dispatcher: options.dispatcher,
    timeout: options.timeout ?? BYTEAIR_DEFAULT_TIMEOUT_MS,
    maxRetries: options.maxRetries,
    backoff: options.backoff,
    retryBudget: options.retryBudget,
    logger: options.logger,
    onAttempt: options.onAttempt,
    authenticate: (request) => signByteAirRequest(credentials, request),
  });
  const callbackTarget = byteAirPaths.callback(applicationId);

  function send<T>(call: Call<T>, options: ByteAirCallOptions): Promise<T> {
    const { route, type, outcome, target, body, contentType } = call;
    const requestId = options.requestId ?? randomUUID();
    const issues = callOptionsIssues(options);
    issues.push(...queryClashIssues(options, target));
    check(issues, requestId);
    const replay = options.replay === true;
    const headers: Record<string, string> = {
      [BYTEAIR_HEADERS.contentEncoding]: 'gzip',
      [BYTEAIR_HEADERS.contentType]: contentType,
      [BYTEAIR_HEADERS.accept]: CONTENT_TYPES.protobuf,
      [BYTEAIR_HEADERS.acceptEncoding]: 'gzip',
      [BYTEAIR_HEADERS.tenantId]: tenantId,
      ...options.headers,
      [BYTEAIR_HEADERS.requestId]: requestId,
      ...call.headers,
    };
    if (options.serverTimeout !== undefined) headers[BYTEAIR_HEADERS.timeoutMillis] = String(options.serverTimeout);
    return transport.request(
      {
        route,
        method: 'POST',
        path: target.path,
        query:
          options.stage === undefined && options.queries === undefined
            ? target.query
            : { ...target.query, stage: options.stage, ...options.queries },
        headers,
        body: gzipBody(body),
        requestId,
        replaySafe: true,
        parse: (response, _attempt, context) => parseAnswer(type, outcome, response, context, replay, requestId),
      },
      {
        timeout: options.timeout,
        maxRetries: options.maxRetries,
        signal: options.signal,
        onAttempt: options.onAttempt,
      },
    );
  }

  /**
   * Validates a callback and its call options (the checks `send` makes too), and encodes it: everything that can
   * refuse a callback before sending, so that a callback queue refuses it in `enqueue`.
   */
  function prepareCallback(input: MessageInit<CallbackRequest>, options: ByteAirCallOptions = {}): PreparedCallback {
    const { requestId } = options;
    check(messageInputIssues(input, ['items']), requestId);
    const request = asValidation(() => CallbackRequest.fromPartial(input as CallbackRequest), requestId);
    if (request.scene === '') request.scene = DEFAULT_SCENE;
    const spmRoute = headerValue(options.headers, BYTEAIR_HEADERS.enableSpmRoute)?.toLowerCase() === 'true';
    check([...callbackIssues(request, spmRoute), ...callOptionsIssues(options)], requestId);
    return { request, body: asValidation(() => encodeMessage(CallbackRequest, request), requestId) };
  }

  function sendCallback(prepared: PreparedCallback, options: ByteAirCallOptions = {}): Promise<CallbackResponse> {
    const call = {
      route: 'byteair.callback',
      type: CallbackResponse,
      outcome: codeOf,
      target: callbackTarget,
      body: prepared.body,
      contentType: CONTENT_TYPES.protobuf,
    };
    return send(call, options);
  }

  return {
    predict(input, options) {
      return deferred(() => {
        options ??= {};
        const scene = options.scene || DEFAULT_SCENE;
        check(messageInputIssues(input, ['candidateItems', 'filterItems']), options.requestId);
        const message = asValidation(() => PredictRequest.fromPartial(input as PredictRequest), options.requestId);
        check(predictIssues(message, scene), options.requestId);
        const call = {
          route: 'byteair.predict',
          type: PredictResponse,
          outcome: codeOf,
          target: byteAirPaths.predict(applicationId, scene),
          body: asValidation(() => encodeMessage(PredictRequest, message), options.requestId),
          contentType: CONTENT_TYPES.protobuf,
        };
        return send(call, options);
      });
    },
    callback(input, options) {
      return deferred(() => {
        options ??= {};
        return sendCallback(prepareCallback(input, options), options);
      });
    },
    writeData(data, options) {
      return deferred(() => {
        check(writeDataIssues(data, options?.topic, options?.date), options?.requestId);
        const headers: Record<string, string> = {};
        if (options.date !== undefined) headers[BYTEAIR_HEADERS.contentDate] = formatDay(options.date);
        if (options.end !== undefined) headers[BYTEAIR_HEADERS.contentEnd] = CONTENT_END[options.end ? 'last' : 'more'];
        const call = {
          route: 'byteair.write',
          type: WriteResponse,
          outcome: statusOf,
          target: byteAirPaths.writeData(applicationId, options.topic),
          headers,
          body: Buffer.from(rowsJson(data, options.requestId)),
          contentType: CONTENT_TYPES.json,
        };
        return send(call, options);
      });
    },
    done(options) {
      return deferred(() => {
        const dates: readonly DataDate[] = options?.dates ?? [new Date()];
        check(doneIssues(options?.topic, dates), options?.requestId);
        // The official SDKs send the completed days as `[{"partition_date":"YYYYMMDD"}, …]`.
        const days = dates.map((date) => ({ partition_date: toPartitionDate(formatDay(date)) }));
        const call = {
          route: 'byteair.done',
          type: WriteResponse,
          outcome: statusOf,
          target: byteAirPaths.done(applicationId, options.topic),
          body: Buffer.from(JSON.stringify(days)),
          contentType: CONTENT_TYPES.json,
        };
        return send(call, options);
      });
    },
    createCallbackQueue(queueOptions) {
      return createCallbackQueue(
        { prepare: prepareCallback, send: sendCallback, logger: options.logger },
        queueOptions,
      );
    },
    close() {
      return transport.close();
    },
  };
}

/** One ByteAir call before it is sent. */
interface Call<T> {
  route: string;
  type: MessageType<T>;
  outcome: (message: T) => Outcome;
  target: ByteAirTarget;
  headers?: Record<string, string>;
  body: Uint8Array;
  contentType: string;
}

/** The code and message an answer carries. */
interface Outcome {
  code: number;
  message: string;
  /** The answer reports rows refused one by one (the others were applied): the caller reads them, it is no failure. */
  partial?: boolean;
}

const codeOf = (message: { code: number; message: string }): Outcome => message;
const statusOf = (message: WriteResponse): Outcome => ({
  code: message.status?.code ?? 0,
  message: message.status?.message ?? '',
  partial: message.errors.length > 0,
});

function parseAnswer<T>(
  type: MessageType<T>,
  outcome: (message: T) => Outcome,
  response: RawResponse,
  context: AttemptContext,
  replay: boolean,
  requestId: string,
): T {
  const { status, headers } = response;
  let message: T | undefined;
  try {
    // Some deployments gzip without saying so; a protobuf message can never start with the gzip magic bytes.
    const body = isGzip(response.body)
      ? gunzipCapped(response.body, { maxBytes: DEFAULT_MAX_RESPONSE_BYTES })
      : response.body;
    message = decodeMessage(type, body);
  } catch (cause) {
    if (status === 200) {
      throw new ResponseValidationError(`could not decode the answer: ${(cause as Error).message}`, {
        requestId,
        status,
        cause,
      });
    }
  }
  const { code, message: text, partial } = message === undefined ? { code: 0, message: '' } : outcome(message);
  if (status === 200) {
    context.code = code;
    // A 409 ("Request-Id already received") means the call was applied, when an earlier attempt of it (or, for a
    // replay, an earlier call) may have reached the service; after attempts that provably did not, it is a reused id.
    if (BYTEAIR_SUCCESS_CODES.includes(code) || partial) return message!;
    if (code === 409 && (replay || context.earlierAttemptMayHaveApplied)) return message!;
  }
  const entry = code !== 0 ? byteAirError(code) : undefined;
  const kind = entry ?? classifyHttpStatus(status) ?? { errorClass: 'permanent' as const, retryable: false };
  const where = status === 200 ? `code ${code}` : `HTTP ${status}${code !== 0 ? ` code ${code}` : ''}`;
  throw new ApiError(`ByteAir answered ${where}: ${text || entry?.message || 'no message'}`, {
    requestId,
    status,
    code: code !== 0 ? code : undefined,
    errorClass: kind.errorClass,
    retryable: kind.retryable,
    headers,
    serviceMessage: text || undefined,
  });
}

function check(issues: ValidationIssue[], requestId: string | undefined): void {
  if (issues.length > 0) throw new RequestValidationError(issues, { requestId });
}

/** Problems of per-call options: `timeout`, `maxRetries`, and headers the client sets itself. */
function callOptionsIssues(options: ByteAirCallOptions): ValidationIssue[] {
  const issues = callOptionIssues(options);
  const serverTimeout = timingIssue('serverTimeout', 'timeout', options.serverTimeout);
  if (serverTimeout) issues.push(serverTimeout);
  if (options.headers) {
    // Header names are case-insensitive: two spellings of one would be sent as one value the signature does not cover.
    const seen = new Map<string, string>();
    for (const name of Object.keys(options.headers)) {
      const lower = name.toLowerCase();
      if (MANAGED_HEADERS.has(lower)) {
        issues.push({ path: `headers.${name}`, message: 'is set by the client (use requestId, serverTimeout, …)' });
      }
      const earlier = seen.get(lower);
      if (earlier !== undefined) {
        issues.push({ path: `headers.${name}`, message: `repeats the header ${earlier} (names ignore case)` });
      }
      seen.set(lower, name);
    }
  }
  return issues;
}

/** Problems of caller queries that would replace one the endpoint sets itself (`method=write`, `topic=`). */
function queryClashIssues(options: ByteAirCallOptions, target: ByteAirTarget): ValidationIssue[] {
  if (options.queries === undefined && options.stage === undefined) return [];
  const given = [...Object.keys(options.queries ?? {}), ...(options.stage === undefined ? [] : ['stage'])];
  return given
    .filter((name) => Object.hasOwn(target.query, name))
    .map((name) => ({ path: `queries.${name}`, message: 'is set by the endpoint' }));
}

/**
 * Runs a step that turns caller input into a message or bytes (`fromPartial`, encoding): a failure there is the
 * input's fault (a wrong type, an out-of-range number), so it becomes a `RequestValidationError`.
 */
function asValidation<T>(step: () => T, requestId: string | undefined): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof InsightError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestValidationError([{ path: 'request', message: `cannot be encoded: ${reason}` }], {
      requestId,
      cause: error,
    });
  }
}

/** The JSON of data rows, or a `RequestValidationError` naming the rows JSON cannot serialise. */
function rowsJson(data: readonly Record<string, unknown>[], requestId: string | undefined): string {
  try {
    return JSON.stringify(data);
  } catch (error) {
    throw new RequestValidationError(jsonRowIssues(data, error), { requestId, cause: error });
  }
}

/** Runs the synchronous preparation of a call so that its validation errors reject the promise instead of throwing. */
function deferred<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

function headerValue(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** One part of an AK/SK credential scope. */
const SCOPE_PART = /^[^/\s,]+$/;

function checkOptions(
  options: ByteAirClientOptions,
): Pick<ByteAirClientOptions, 'tenantId' | 'applicationId' | 'auth'> {
  const fail = (field: string, rule: string): never => {
    throw new TypeError(`createByteAirClient: ${field} ${rule}`);
  };
  const { tenantId, applicationId, auth, hosts, scheme } = options ?? ({} as ByteAirClientOptions);
  if (typeof tenantId !== 'string' || tenantId === '') fail('tenantId', 'is required');
  // Header values lose their outer whitespace on the way: the service would check a signature over another tenant id.
  if (tenantId.trim() !== tenantId) fail('tenantId', 'must not start or end with whitespace');
  if (typeof applicationId !== 'string' || applicationId === '') fail('applicationId', 'is required');
  if (!Array.isArray(hosts) || hosts.length === 0) fail('hosts', 'must list at least one host');
  hosts.forEach((host, i) => {
    if (typeof host !== 'string' || !HOST.test(host)) fail(`hosts[${i}]`, `must be host[:port] without scheme or path`);
  });
  if (!isWellFormed(applicationId)) fail('applicationId', 'must be well-formed Unicode (no lone surrogate)');
  if (scheme !== undefined && scheme !== 'https' && scheme !== 'http') fail('scheme', "must be 'https' or 'http'");
  if (typeof auth !== 'object' || auth === null) fail('auth', 'must be { token } or { accessKey, secretKey, region? }');
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || auth.token === '') fail('auth.token', 'must be a non-empty string');
  } else {
    if (typeof auth.accessKey !== 'string' || auth.accessKey === '') fail('auth.accessKey', 'is required');
    if (typeof auth.secretKey !== 'string' || auth.secretKey === '') fail('auth.secretKey', 'is required');
    // Both travel in the Authorization header's credential scope, whose parts are split on '/', ',' and spaces.
    if (!SCOPE_PART.test(auth.accessKey)) fail('auth.accessKey', "must not contain '/', ',' or whitespace");
    if (auth.region !== undefined && (typeof auth.region !== 'string' || !SCOPE_PART.test(auth.region))) {
      fail('auth.region', "must be a non-empty string without '/', ',' or whitespace");
    }
  }
  checkTransportSettings(options, 'createByteAirClient');
  return { tenantId, applicationId, auth };
}
