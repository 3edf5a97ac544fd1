/**
 * Client-side pacing: per endpoint, at most `limit` calls start in any window of `windowMs`, the way the service
 * counts its QPS limits. A busy process queues its calls instead of collecting `[40006]reached qps limit` answers,
 * while a burst under the limit (opening 20 collector streams) starts at once.
 */
import { UserAbortError } from '../core/errors.js';

/** The limit of one endpoint. */
export interface RateLimit {
  /** Calls that may start within one window. */
  readonly limit: number;
  /** The window, in ms. */
  readonly windowMs: number;
}

/** Hands out start times per endpoint, in call order. */
export interface Pacer {
  /**
   * Resolves when a call to `endpoint` may start; endpoints without a limit start at once.
   * @throws UserAbortError when `signal` aborts first.
   */
  acquire(endpoint: string, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link createPacer}. */
export interface PacerOptions {
  /** Limits by endpoint key. */
  readonly limits: Readonly<Record<string, RateLimit>>;
  /** Clock in milliseconds; tests inject one. @default performance.now */
  readonly now?: () => number;
  /** Waits `ms` milliseconds or rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Creates a pacer. Each call reserves its start time synchronously (the earliest time at which the window holds
 * fewer than `limit` starts), so concurrent callers are served first come, first served without a timer per endpoint.
 */
export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const windows = new Map<string, { limit: number; windowMs: number; starts: number[] }>();
  for (const [endpoint, { limit, windowMs }] of Object.entries(options.limits)) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`pacing.${endpoint}.limit must be an integer ≥ 1`);
    if (!(windowMs > 0)) throw new RangeError(`pacing.${endpoint}.windowMs must be a positive number`);
    windows.set(endpoint, { limit, windowMs, starts: [] });
  }
  return {
    async acquire(endpoint, signal) {
      if (signal?.aborted) throw new UserAbortError({ cause: signal.reason });
      const window = windows.get(endpoint);
      if (!window) return;
      const { starts, limit, windowMs } = window;
      const t = now();
      // `starts` holds the last `limit` reserved starts, ascending: the oldest must leave the window first.
      const start = starts.length < limit ? t : Math.max(t, starts[starts.length - limit]! + windowMs);
      starts.push(start);
      const dropped = starts.length > limit ? starts.shift() : undefined;
      if (start > t) {
        try {
          await sleep(start - t, signal);
        } catch (error) {
          // Give the slot back when nobody reserved after it, so an abandoned call does not delay the next one.
          if (starts[starts.length - 1] === start) {
            starts.pop();
            if (dropped !== undefined) starts.unshift(dropped);
          }
          throw signal?.aborted ? new UserAbortError({ cause: signal.reason }) : error;
        }
      }
    },
  };
}

/** Sleeps `ms` milliseconds; rejects with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.ceil(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
