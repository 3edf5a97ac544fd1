/**
 * Client-side pacing: one token bucket per endpoint so that a busy process queues its calls under the documented QPS
 * instead of collecting `[40006]reached qps limit` answers.
 */

/** The rate of one endpoint's bucket. */
export interface RateLimit {
  /** Sustained requests per second. */
  readonly perSecond: number;
  /**
   * Requests that may start back to back after an idle period.
   * @default 1
   */
  readonly burst?: number;
}

/** Hands out start slots per endpoint, in call order. */
export interface Pacer {
  /** Resolves when a call to `endpoint` may start; endpoints without a limit start at once. */
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
 * Creates a pacer. Each bucket is a GCRA ("virtual scheduling") token bucket: every call reserves the next free slot
 * synchronously, so concurrent callers are served first come, first served without a queue or a timer per bucket.
 */
export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const buckets = new Map<string, { interval: number; tolerance: number; tat: number }>();
  for (const [endpoint, limit] of Object.entries(options.limits)) {
    if (!(limit.perSecond > 0)) throw new RangeError(`pacing.${endpoint}.perSecond must be a positive number`);
    const burst = limit.burst ?? 1;
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`pacing.${endpoint}.burst must be an integer ≥ 1`);
    const interval = 1000 / limit.perSecond;
    buckets.set(endpoint, { interval, tolerance: interval * (burst - 1), tat: Number.NEGATIVE_INFINITY });
  }
  return {
    async acquire(endpoint, signal) {
      signal?.throwIfAborted();
      const bucket = buckets.get(endpoint);
      if (!bucket) return;
      const t = now();
      const arrival = Math.max(bucket.tat, t);
      const wait = arrival - bucket.tolerance - t;
      bucket.tat = arrival + bucket.interval;
      if (wait > 0) {
        try {
          await sleep(wait, signal);
        } catch (error) {
          // Give the slot back when nobody reserved after it, so an abandoned call does not slow the next one.
          if (bucket.tat === arrival + bucket.interval) bucket.tat = arrival;
          throw error;
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
