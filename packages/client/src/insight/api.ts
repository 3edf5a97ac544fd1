/**
 * The Content Insight calling convention on top of the shared transport: biz-name and token headers, JSON bodies (on
 * `GET` too), pacing per endpoint, the `{status, message, data}` envelope, the bracketed error codes, and one
 * re-authentication when a call answers `[40001]`.
 */
import { randomUUID } from 'node:crypto';
import {
  AccessTokenData,
  CONTENT_TYPES,
  classifyHttpStatus,
  INSIGHT_ENDPOINTS,
  INSIGHT_HEADERS,
  INSIGHT_SUCCESS_STATUS,
  type InsightEndpointName,
  type InsightErrorCode,
  insightError,
  parseInsightMessage,
} from '@insight/protocol';
import { ApiError, ConnectionError, type InsightError, ResponseValidationError } from '../core/errors.js';
import type { CallOptions, QueryParams, RawResponse, Transport } from '../core/transport.js';
import type { Pacer } from './pacer.js';
import type { IssuedToken, TokenManager } from './token-manager.js';
import { formatIssuePath } from './validation.js';

/** The part of a zod schema the client relies on, so that this package needs no zod import of its own. */
export interface DataSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { issues: readonly SchemaIssue[] } };
}

/** One problem a schema found. */
interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** One call of the Insight API. */
export interface InsightCall<T> {
  readonly endpoint: InsightEndpointName;
  readonly query?: QueryParams | undefined;
  /** Serialised as JSON; sent on `GET` calls too. */
  readonly body?: unknown;
  /** Validates `data` of a successful answer. */
  readonly schema: DataSchema<T>;
  /**
   * Whether replaying the call after an unclear failure is harmless (reads, updates). Task creation is not: it is
   * only retried when the service cannot have processed it.
   */
  readonly replaySafe: boolean;
}

/** The Insight calling convention bound to one client. */
export interface InsightApi {
  /** Makes one call and returns its validated `data`. */
  call<T>(call: InsightCall<T>, options?: CallOptions): Promise<T>;
  /**
   * Opens an event stream and returns its body once the service answers 2xx.
   * @throws ConnectionError when a 2xx answer is not `text/event-stream` (a proxy's page, not the service).
   */
  openStream(
    endpoint: 'backtrackStream' | 'realtimeStream',
    query: QueryParams,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>>;
}

/** Dependencies of {@link createInsightApi}. */
export interface InsightApiOptions {
  readonly transport: Transport;
  readonly bizName: string;
  readonly tokens: TokenManager;
  readonly pacer: Pacer;
}

/** The code the service answers when a token is bad or expired (checked against the protocol's catalogue). */
const UNAUTHORIZED = 40001 satisfies InsightErrorCode;

/** Binds the calling convention to a transport, a token manager and a pacer. */
export function createInsightApi(options: InsightApiOptions): InsightApi {
  const { transport, bizName, tokens, pacer } = options;

  /** Runs `attempt` with a token; when the service rejects that token, renews it and runs `attempt` once more. */
  async function withToken<T>(signal: AbortSignal | undefined, attempt: (token: string) => Promise<T>): Promise<T> {
    const token = await tokens.getToken(signal);
    try {
      return await attempt(token);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === UNAUTHORIZED && tokens.invalidate(token))) throw error;
      return attempt(await tokens.getToken(signal));
    }
  }

  return {
    call(call, callOptions = {}) {
      const { method, path } = INSIGHT_ENDPOINTS[call.endpoint];
      const body = call.body === undefined ? undefined : JSON.stringify(call.body);
      const route = `insight.${call.endpoint}`;
      const endpoint = `${method} ${path}`;
      return withToken(callOptions.signal, (token) =>
        transport.request(
          {
            route,
            method,
            path,
            query: call.query,
            body,
            headers: requestHeaders(bizName, token, body !== undefined),
            requestId: randomUUID(),
            replaySafe: call.replaySafe,
            beforeAttempt: (signal) => pacer.acquire(call.endpoint, signal),
            parse: (response) => parseEnvelope(response, call.schema, endpoint),
          },
          callOptions,
        ),
      );
    },
    openStream(endpoint, query, signal) {
      const { path } = INSIGHT_ENDPOINTS[endpoint];
      const route = `insight.${endpoint}`;
      return withToken(signal, async (token) => {
        const response = await transport.stream(
          {
            route,
            method: 'GET',
            path,
            query,
            headers: { ...requestHeaders(bizName, token, false), Accept: CONTENT_TYPES.eventStream },
            requestId: randomUUID(),
            replaySafe: true,
            beforeAttempt: (attemptSignal) => pacer.acquire(endpoint, attemptSignal),
            parseError: (raw) => toError(raw, `GET ${path}`),
          },
          { signal },
        );
        // A 2xx that is not an event stream (a proxy's page) did not come from the service: its end would look like the
        // end of the stream.
        const type = response.headers['content-type'] ?? '';
        if (mediaType(type) !== CONTENT_TYPES.eventStream) {
          response.body.destroy();
          const got = `${JSON.stringify(type)} (HTTP ${response.status})`;
          throw new ConnectionError(`GET ${path}: content-type must be ${CONTENT_TYPES.eventStream}, got ${got}`, {
            requestId: response.requestId,
          });
        }
        return response.body;
      });
    },
  };
}

/** Fetches an access token with the business secret (`GET /oauth/access_token`). */
export async function fetchAccessToken(
  transport: Transport,
  pacer: Pacer,
  credentials: { readonly bizName: string; readonly bizSecret: string },
): Promise<IssuedToken> {
  const { method, path } = INSIGHT_ENDPOINTS.accessToken;
  const route = 'insight.accessToken';
  const data = await transport.request({
    route,
    method,
    path,
    headers: { [INSIGHT_HEADERS.bizName]: credentials.bizName, [INSIGHT_HEADERS.bizSecret]: credentials.bizSecret },
    requestId: randomUUID(),
    replaySafe: true,
    beforeAttempt: (signal) => pacer.acquire('accessToken', signal),
    parse: (response) => parseEnvelope(response, AccessTokenData, `${method} ${path}`),
  });
  return { accessToken: data.access_token, expiresIn: data.expire };
}

function requestHeaders(bizName: string, token: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    [INSIGHT_HEADERS.bizName]: bizName,
    [INSIGHT_HEADERS.accessToken]: token,
  };
  if (hasBody) headers[INSIGHT_HEADERS.contentType] = CONTENT_TYPES.json;
  return headers;
}

/**
 * Reads the envelope of an answer: validated `data` on success, else the error it describes. Error messages start with
 * `endpoint` (`POST /openapi/item/search`): the vendor's name for the call, which users can look up.
 */
function parseEnvelope<T>(response: RawResponse, schema: DataSchema<T>, endpoint: string): T {
  const envelope = readJson(response);
  if (
    response.status < 200 ||
    response.status >= 300 ||
    !isRecord(envelope) ||
    envelope.status !== INSIGHT_SUCCESS_STATUS
  ) {
    throw toError(response, endpoint, envelope);
  }
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${formatIssuePath(['data', ...issue.path])}: ${issue.message}`);
    throw new ResponseValidationError(`${endpoint}: ${issues.join('; ')}`, { status: response.status });
  }
  return parsed.data;
}

/**
 * Turns a failed answer into an {@link ApiError} carrying the documented code, or the HTTP status's class when the
 * body holds no bracketed code (a proxy's error page).
 */
function toError(response: RawResponse, endpoint: string, envelope: unknown = readJson(response)): InsightError {
  const message = isRecord(envelope) && typeof envelope.message === 'string' ? envelope.message : undefined;
  const parsed = parseInsightMessage(message);
  const entry = parsed ? insightError(parsed.code) : undefined;
  const byStatus = classifyHttpStatus(response.status) ?? { errorClass: 'permanent', retryable: false };
  if (message === undefined && response.status >= 200 && response.status < 300) {
    return new ResponseValidationError(`${endpoint}: answer is not a {status, message, data} envelope`, {
      status: response.status,
    });
  }
  return new ApiError(`${endpoint}: ${message ?? `HTTP ${response.status}`}`, {
    status: response.status,
    code: parsed?.code,
    errorClass: entry?.errorClass ?? byStatus.errorClass,
    retryable: entry?.retryable ?? byStatus.retryable,
    headers: response.headers,
    serviceMessage: message,
  });
}

/** The media type of a `content-type` header, lower-cased and without parameters. */
function mediaType(contentType: string): string {
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

function readJson(response: RawResponse): unknown {
  try {
    return JSON.parse(Buffer.from(response.body).toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
