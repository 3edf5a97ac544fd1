import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/clock.js';
import { createQpsLimiter } from './qps.js';

/** 16:00 UTC: midnight in UTC+8, where the vendor's days roll over. */
const MIDNIGHT_CST = Date.UTC(2025, 5, 1, 16, 0, 0);

describe('createQpsLimiter', () => {
  it('allows the documented calls per second per business and endpoint, in a sliding window', () => {
    const clock = createManualClock(MIDNIGHT_CST);
    const limiter = createQpsLimiter(clock);
    for (let i = 0; i < 5; i++) limiter.take('a', 'realtimeCreate');
    expect(() => limiter.take('a', 'realtimeCreate')).toThrow(/^\[40006\]reached qps limit: realtimeCreate allows 5/);
    limiter.take('b', 'realtimeCreate');
    limiter.take('a', 'search');
    clock.advance(999);
    expect(() => limiter.take('a', 'realtimeCreate')).toThrow(/40006/);
    clock.advance(1);
    limiter.take('a', 'realtimeCreate');
  });

  it('allows 10 000 sensitive-words checks a day, counting days in UTC+8', () => {
    const clock = createManualClock(MIDNIGHT_CST + 1000);
    const limiter = createQpsLimiter(clock);
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 0) clock.advance(1000);
      limiter.take('a', 'sensitiveWordsCheck');
    }
    clock.advance(1000);
    expect(() => limiter.take('a', 'sensitiveWordsCheck')).toThrow(/allows 10000 calls per day/);
    clock.set(MIDNIGHT_CST + 86_400_000 - 1);
    expect(() => limiter.take('a', 'sensitiveWordsCheck')).toThrow(/per day/);
    clock.set(MIDNIGHT_CST + 86_400_000);
    limiter.take('a', 'sensitiveWordsCheck');
  });
});
