import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBackoff, MAX_RETRY_AFTER_MS, parseRetryAfter } from './backoff.js';

describe('computeBackoff', () => {
  it('draws uniformly below min(cap, base * 2^retry) (full jitter)', () => {
    fc.assert(
      fc.property(fc.nat(30), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const delay = computeBackoff(retry, { baseMs: 100, capMs: 5_000 }, () => r);
        const ceiling = Math.min(5_000, 100 * 2 ** retry);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
        expect(delay).toBe(Math.floor(r * ceiling));
      }),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 10].map((n) => computeBackoff(n, { baseMs: 100, capMs: 1_000 }, top))).toEqual([
      99, 199, 399, 799, 999,
    ]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter('0.25')).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent, unparseable and overlong values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter(String(MAX_RETRY_AFTER_MS / 1000 + 1))).toBeUndefined();
  });
});
