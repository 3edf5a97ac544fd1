import {
  CHINA_STANDARD_TIME_OFFSET_MINUTES,
  INSIGHT_ENDPOINTS,
  type InsightEndpoint,
  type InsightEndpointName,
} from '@insight/protocol';
import type { Clock } from '../core/clock.js';
import { insightFailure } from './errors.js';

const DAY_MS = 86_400_000;
/** Days roll over at midnight in UTC+8, the vendor's zone. */
const DAY_OFFSET_MS = CHINA_STANDARD_TIME_OFFSET_MINUTES * 60_000;

/** Enforces the documented per-business QPS and daily limits of each endpoint, on the emulator clock. */
export interface QpsLimiter {
  /** @throws `[40006]` when the call would exceed the endpoint's limit for this business. */
  take(biz: string, endpoint: InsightEndpointName): void;
  clear(): void;
}

/** Creates a limiter: a one-second sliding window per business and endpoint, plus a per-day counter where documented. */
export function createQpsLimiter(clock: Clock): QpsLimiter {
  const windows = new Map<string, number[]>();
  const days = new Map<string, { day: number; count: number }>();
  return {
    take(biz, endpoint) {
      const limits: InsightEndpoint = INSIGHT_ENDPOINTS[endpoint];
      const now = clock.now();
      const key = `${biz}\u0000${endpoint}`;
      if (limits.qps !== undefined) {
        const recent = (windows.get(key) ?? []).filter((at) => at > now - 1000);
        if (recent.length >= limits.qps) {
          windows.set(key, recent);
          throw insightFailure(40006, `${endpoint} allows ${limits.qps} calls per second per business`);
        }
        recent.push(now);
        windows.set(key, recent);
      }
      if (limits.dailyLimit !== undefined) {
        const day = Math.floor((now + DAY_OFFSET_MS) / DAY_MS);
        const used = days.get(key);
        const count = used?.day === day ? used.count : 0;
        if (count >= limits.dailyLimit) {
          throw insightFailure(40006, `${endpoint} allows ${limits.dailyLimit} calls per day per business`);
        }
        days.set(key, { day, count: count + 1 });
      }
    },
    clear() {
      windows.clear();
      days.clear();
    },
  };
}
