import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInsightTime, insightTimeProblem, parseInsightTime } from './insight-time.js';

describe('Content Insight time format', () => {
  it('defaults to China Standard Time (UTC+8)', () => {
    const ms = Date.UTC(2026, 10, 23, 16, 30, 5);
    expect(formatInsightTime(ms)).toBe('2026-11-24 00:30:05');
    expect(formatInsightTime(new Date(ms))).toBe('2026-11-24 00:30:05');
    expect(parseInsightTime('2026-11-24 00:30:05')).toBe(ms);
  });

  it('honours other fixed offsets, negative and fractional-hour ones included', () => {
    const ms = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(formatInsightTime(ms, { utcOffsetMinutes: 0 })).toBe('2026-01-01 00:00:00');
    expect(formatInsightTime(ms, { utcOffsetMinutes: -300 })).toBe('2025-12-31 19:00:00');
    expect(formatInsightTime(ms, { utcOffsetMinutes: 345 })).toBe('2026-01-01 05:45:00');
    expect(parseInsightTime('2025-12-31 19:00:00', { utcOffsetMinutes: -300 })).toBe(ms);
    expect(() => formatInsightTime(ms, { utcOffsetMinutes: 1440 })).toThrow(/utcOffsetMinutes/);
    expect(() => parseInsightTime('2026-01-01 00:00:00', { utcOffsetMinutes: 7.5 })).toThrow(/utcOffsetMinutes/);
  });

  it('has no DST: summer and winter times at the same offset keep their wall clock', () => {
    expect(formatInsightTime(Date.UTC(2026, 6, 1, 4), { utcOffsetMinutes: 60 })).toBe('2026-07-01 05:00:00');
    expect(formatInsightTime(Date.UTC(2026, 0, 1, 4), { utcOffsetMinutes: 60 })).toBe('2026-01-01 05:00:00');
  });

  it('accepts leap days of leap years only', () => {
    expect(parseInsightTime('2028-02-29 12:00:00', { utcOffsetMinutes: 0 })).toBe(Date.UTC(2028, 1, 29, 12));
    expect(parseInsightTime('2000-02-29 00:00:00', { utcOffsetMinutes: 0 })).toBe(Date.UTC(2000, 1, 29));
    expect(() => parseInsightTime('2026-02-29 00:00:00')).toThrow(/day 29 is not 01–28 in 2026-02/);
    expect(() => parseInsightTime('1900-02-29 00:00:00')).toThrow(/day 29/);
    expect(formatInsightTime(Date.UTC(2028, 1, 28, 16), {})).toBe('2028-02-29 00:00:00');
  });

  it.each([
    ['2026-02-30 00:00:00', /day 30/],
    ['2026-04-31 00:00:00', /day 31 is not 01–30/],
    ['2026-13-01 00:00:00', /month 13/],
    ['2026-00-01 00:00:00', /month 00/],
    ['2026-01-00 00:00:00', /day 00/],
    ['2026-01-01 24:00:00', /hour 24/],
    ['2026-01-01 00:60:00', /minute 60/],
    ['2026-01-01 00:00:60', /second 60/],
    ['2026-01-01T00:00:00', /expected yyyy-mm-dd HH:mm:ss/],
    ['2026-1-01 00:00:00', /expected/],
    ['2026-01-01 00:00', /expected/],
    ['2026-01-01 00:00:00Z', /expected/],
    [' 2026-01-01 00:00:00', /expected/],
    ['２０２６-01-01 00:00:00', /expected/],
    ['', /expected/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseInsightTime(text)).toThrow(reason);
    expect(() => parseInsightTime(text)).toThrow(RangeError);
    expect(insightTimeProblem(text)).toBeDefined();
  });

  it('refuses to format invalid dates and years beyond yyyy', () => {
    expect(() => formatInsightTime(new Date('nope'))).toThrow(/invalid date/);
    expect(() => formatInsightTime(Number.NaN)).toThrow(/invalid date/);
    expect(() => formatInsightTime(Date.UTC(10000, 0, 1))).toThrow(/year 10000/);
  });

  it('keeps years below 100 as written', () => {
    const ms = new Date('0099-03-01T00:00:00Z').getTime();
    expect(parseInsightTime('0099-03-01 00:00:00', { utcOffsetMinutes: 0 })).toBe(ms);
    expect(formatInsightTime(ms, { utcOffsetMinutes: 0 })).toBe('0099-03-01 00:00:00');
  });

  it('round-trips every whole second at any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: -1439, max: 1439 }),
        (ms, utcOffsetMinutes) => {
          const whole = Math.floor(ms / 1000) * 1000;
          const text = formatInsightTime(ms, { utcOffsetMinutes });
          expect(insightTimeProblem(text)).toBeUndefined();
          expect(parseInsightTime(text, { utcOffsetMinutes })).toBe(whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
