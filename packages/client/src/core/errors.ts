import type { ErrorClass } from '@insight/protocol';

/** Fields every Insight error carries. */
export interface InsightErrorInit {
  /** The request id sent with the failed call (the same on every attempt). */
  requestId?: string | undefined;
  /** The underlying failure, for debugging. */
  cause?: unknown;
}

/** Base class of every error the Insight clients throw. `instanceof InsightError` catches them all. */
export class InsightError extends Error {
  override name = 'InsightError';
  /** The request id sent with the failed call, when a call was made. */
  readonly requestId: string | undefined;
  /** How many attempts the call made before giving up (0 when it failed before sending). */
  attempts = 0;

  constructor(message: string, init: InsightErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.requestId = init.requestId;
  }
}

/** The request could not be delivered or its answer could not be read: refused, reset, DNS failure, TLS failure. */
export class ConnectionError extends InsightError {
  override name = 'ConnectionError';
  /** The system or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly code: string | undefined;
  /** The base URL the attempt went to. */
  readonly host: string | undefined;

  constructor(message: string, init: InsightErrorInit & { code?: string | undefined; host?: string | undefined } = {}) {
    super(message, init);
    this.code = init.code;
    this.host = init.host;
  }

  /**
   * True when the server cannot have seen the request (the connection was never established), so replaying it is safe
   * even for a call that is not idempotent.
   */
  get notSent(): boolean {
    return this.code !== undefined && NOT_SENT_CODES.has(this.code);
  }
}

/** The `code` of the `ConnectionError` of a call ended by `close()` on its client: nothing more was sent. */
export const CLIENT_CLOSED_CODE = 'ERR_CLIENT_CLOSED';

/** Error codes meaning the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  CLIENT_CLOSED_CODE,
]);

/** An attempt ran past its timeout. A *net* error in the official SDKs' terms: safe to replay with the same request id. */
export class TimeoutError extends ConnectionError {
  override name = 'TimeoutError';
  /** The per-attempt timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, init: InsightErrorInit & { host?: string | undefined } = {}) {
    super(`request timed out after ${timeoutMs} ms`, { ...init, code: 'ETIMEDOUT' });
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the call through its `AbortSignal`. Never retried. */
export class UserAbortError extends InsightError {
  override name = 'UserAbortError';

  constructor(init: InsightErrorInit = {}) {
    super('request aborted by the caller', init);
  }
}

/** The service answered with an error: a non-success HTTP status or a non-success code in the body. */
export class ApiError extends InsightError {
  override name = 'ApiError';
  /** The HTTP status of the answer (200 when only the body code signals the error). */
  readonly status: number;
  /** The service's own error code: ByteAir's body `code`, or Content Insight's bracketed `[40006]` code. */
  readonly code: number | undefined;
  /** Whether replaying the same request later may succeed. */
  readonly retryable: boolean;
  /** What kind of failure this is, from the protocol's error catalogue. */
  readonly errorClass: ErrorClass;
  /** The answer's headers (lower-case names), e.g. to read `retry-after`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The message of the service's answer, as it gave it (`message` adds where and what), when the answer had one. */
  readonly serviceMessage: string | undefined;

  constructor(
    message: string,
    init: InsightErrorInit & {
      status: number;
      code?: number | undefined;
      errorClass: ErrorClass;
      retryable: boolean;
      headers?: Readonly<Record<string, string>>;
      serviceMessage?: string | undefined;
    },
  ) {
    super(message, init);
    this.status = init.status;
    this.serviceMessage = init.serviceMessage;
    this.code = init.code;
    this.errorClass = init.errorClass;
    this.retryable = init.retryable;
    this.headers = init.headers ?? {};
  }
}

/** The answer arrived but could not be decoded or did not have the expected shape. */
export class ResponseValidationError extends InsightError {
  override name = 'ResponseValidationError';
  /** The HTTP status of the answer. */
  readonly status: number;

  constructor(message: string, init: InsightErrorInit & { status: number }) {
    super(message, init);
    this.status = init.status;
  }
}

/** One problem found in a request before sending it. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `items[2].extra`. */
  path: string;
  /** The rule broken, e.g. `must be valid JSON`. */
  message: string;
}

/** The request was refused on the client side before anything was sent. */
export class RequestValidationError extends InsightError {
  override name = 'RequestValidationError';
  /** Every problem found, each naming the field and the rule broken. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], init: InsightErrorInit = {}) {
    super(`invalid request: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, init);
    this.issues = issues;
  }
}

/**
 * True for what the official SDKs call a *net* error: the attempt timed out, so the outcome is unknown and the call
 * may be replayed with the same request id.
 */
export function isNetError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError;
}

/**
 * True for what the official SDKs call a *biz* error: the service refused the call (non-success status or code), its
 * answer was unreadable, or the transport failed other than by a timeout.
 */
export function isBizError(error: unknown): error is ApiError | ResponseValidationError | ConnectionError {
  return (
    error instanceof ApiError ||
    error instanceof ResponseValidationError ||
    (error instanceof ConnectionError && !(error instanceof TimeoutError))
  );
}
