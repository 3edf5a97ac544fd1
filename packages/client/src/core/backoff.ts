/** Exponential backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** Upper bound of the first retry's delay. @default 100 */
  baseMs?: number;
  /** No delay ever exceeds this. @default 5000 */
  capMs?: number;
}

/** Default upper bound of the first retry's delay, in ms. */
export const DEFAULT_BACKOFF_BASE_MS = 100;
/** Default largest delay between two attempts, in ms. */
export const DEFAULT_BACKOFF_CAP_MS = 5_000;
/** The longest delay a Node.js timer honours, in ms (2^31 - 1); a longer, infinite or NaN one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A `Retry-After` longer than this is not honoured: the computed backoff applies instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Delay before retry number `retry` (0 for the first retry): "full jitter", uniformly random in
 * `[0, min(cap, base · 2^retry))`, which spreads a crowd of failing clients out instead of synchronising them.
 */
export function computeBackoff(
  retry: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  return Math.floor(random() * Math.min(cap, base * 2 ** retry));
}

/**
 * Reads a `Retry-After` header (delay in seconds or an HTTP date) as a delay in ms, or `undefined` when absent,
 * unparseable, or beyond {@link MAX_RETRY_AFTER_MS}.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed);
  // HTTP dates always name a weekday and month; bare numbers that are not seconds (`-1`) are rejected, not dated.
  const ms = seconds ? Number(trimmed) * 1000 : /[a-z]/i.test(trimmed) ? Date.parse(trimmed) - now : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  const delay = Math.max(0, Math.ceil(ms));
  return delay <= MAX_RETRY_AFTER_MS ? delay : undefined;
}
