/**
 * How a failure should be handled, decided once here for every client: `throttling` (slow down, then retry),
 * `transient` (retry with backoff), `permanent` (do not retry), `auth` (fix or refresh credentials, then retry once).
 */
export type ErrorClass = 'throttling' | 'transient' | 'permanent' | 'auth';

/** One entry of an error catalogue. */
export interface ErrorEntry {
  /** The code as it travels (Content Insight: the bracketed code of `message`; ByteAir: the body `code`). */
  readonly code: number;
  /** The HTTP status the code travels with. */
  readonly httpStatus: number;
  /** Canonical message text. */
  readonly message: string;
  /** What the code means, for humans. */
  readonly description: string;
  /** Whether repeating the same request may succeed. */
  readonly retryable: boolean;
  /** How a client handles the failure (see {@link ErrorClass}). */
  readonly errorClass: ErrorClass;
}

/** Content Insight `status` of a successful call. */
export const INSIGHT_SUCCESS_STATUS = 0;
/** Content Insight `message` of a successful call. */
export const INSIGHT_SUCCESS_MESSAGE = 'succeed';

/** Throttling and transient errors are retryable; auth errors only where fresh credentials can fix them. */
function entry(
  code: number,
  httpStatus: number,
  message: string,
  errorClass: ErrorClass,
  description: string,
  retryable = errorClass === 'throttling' || errorClass === 'transient',
): ErrorEntry {
  return { code, httpStatus, message, description, errorClass, retryable };
}

/** The Content Insight error codes, by code. */
export const INSIGHT_ERRORS = {
  40001: entry(40001, 401, 'unauthorized', 'auth', 'no permission: the access token is bad or expired', true),
  40002: entry(40002, 403, 'forbidden ip address', 'permanent', 'the source IP is not on the allow-list'),
  40003: entry(40003, 401, 'invalid auth info', 'auth', 'invalid account (biz name) or secret'),
  40004: entry(40004, 400, 'invalid param', 'permanent', 'a parameter is invalid'),
  40005: entry(40005, 403, 'reached quota limit', 'permanent', 'quota used up, e.g. 50 realtime tasks'),
  40006: entry(40006, 403, 'reached qps limit', 'throttling', 'QPS limit hit, retry later'),
  40007: entry(40007, 400, 'no matched data', 'permanent', "nothing matches: check the task's rule"),
  40008: entry(40008, 400, 'disconnected', 'transient', 'connection failed, retry later'),
  40009: entry(40009, 400, 'reached hit post count limit', 'permanent', 'hit post count over the limit'),
  10000: entry(10000, 500, 'internal error', 'transient', 'internal error, retry later'),
  10001: entry(10001, 500, 'internal error', 'transient', 'internal error, retry later'),
  10002: entry(10002, 500, 'internal error', 'transient', 'internal error, retry later'),
  10003: entry(10003, 500, 'internal error', 'transient', 'internal error, retry later'),
  10004: entry(10004, 500, 'internal error', 'transient', 'internal error, retry later'),
  10005: entry(10005, 500, 'internal error', 'transient', 'internal error, retry later'),
} as const satisfies Record<number, ErrorEntry>;

/** A documented Content Insight error code. */
export type InsightErrorCode = keyof typeof INSIGHT_ERRORS;

/** The entry of a Content Insight error code, or undefined for a code the vendor does not document. */
export function insightError(code: number): ErrorEntry | undefined {
  return Object.hasOwn(INSIGHT_ERRORS, code) ? INSIGHT_ERRORS[code as InsightErrorCode] : undefined;
}

const BRACKETED = /^\s*\[(\d{1,9})\]\s*([\s\S]*?)\s*$/;

/** Reads `[40004]invalid param` into `{ code: 40004, message: 'invalid param' }`; anything else gives undefined. */
export function parseInsightMessage(text: unknown): { code: number; message: string } | undefined {
  if (typeof text !== 'string') return undefined;
  const match = BRACKETED.exec(text);
  return match ? { code: Number(match[1]), message: match[2] } : undefined;
}

/** Writes the canonical message of a code, with an optional detail: `[40004]invalid param: rule[1]: …`. */
export function formatInsightMessage(code: InsightErrorCode, detail?: string): string {
  const base = `[${code}]${INSIGHT_ERRORS[code].message}`;
  return detail ? `${base}: ${detail}` : base;
}

/** ByteAir body codes of a successful call. */
export const BYTEAIR_SUCCESS_CODES: readonly number[] = [0, 200];

/**
 * ByteAir body error codes. `httpStatus` is the status the emulator answers with: the real service sends
 * body-level outcomes with HTTP 200 (the SDK only parses 200 bodies), and auth, size and throttling failures with
 * their own status.
 */
export const BYTEAIR_ERRORS = {
  400: entry(400, 200, 'bad request', 'permanent', 'the request is invalid; the message names the field'),
  401: entry(401, 401, 'unauthorized', 'auth', 'authentication failed: bad signature, clock skew, unknown tenant'),
  409: entry(409, 200, 'duplicate request', 'permanent', 'a request with this Request-Id was already applied'),
  410: entry(410, 200, 'operation lost', 'transient', 'the operation was lost; resend with the same Request-Id'),
  413: entry(413, 413, 'payload too large', 'permanent', 'the body is over the size limit'),
  429: entry(429, 429, 'too many requests', 'throttling', 'too many requests, slow down'),
  500: entry(500, 500, 'internal error', 'transient', 'server error, retry later'),
} as const satisfies Record<number, ErrorEntry>;

/** A ByteAir body error code with its own catalogue entry. */
export type ByteAirErrorCode = keyof typeof BYTEAIR_ERRORS;

/** The entry of a ByteAir body error code; any 5xx shares the 500 entry. Undefined for success or an undocumented code. */
export function byteAirError(code: number): ErrorEntry | undefined {
  if (Object.hasOwn(BYTEAIR_ERRORS, code)) return BYTEAIR_ERRORS[code as ByteAirErrorCode];
  return code >= 500 && code <= 599 ? { ...BYTEAIR_ERRORS[500], code } : undefined;
}

/**
 * Classifies a bare HTTP status (no readable body, e.g. from a proxy): 408 and 5xx are transient, 429 throttling,
 * 401 and 403 auth, other 4xx permanent. Undefined for a status below 400.
 */
export function classifyHttpStatus(status: number): { errorClass: ErrorClass; retryable: boolean } | undefined {
  if (status < 400) return undefined;
  if (status === 429) return { errorClass: 'throttling', retryable: true };
  if (status === 408 || status >= 500) return { errorClass: 'transient', retryable: true };
  if (status === 401 || status === 403) return { errorClass: 'auth', retryable: false };
  return { errorClass: 'permanent', retryable: false };
}
