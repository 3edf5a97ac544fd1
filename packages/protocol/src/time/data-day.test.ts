import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doneBodyProblem, formatDataDay, isDataDay, parseContentEnd, toPartitionDate } from './data-day.js';

describe('ByteAir data days', () => {
  it('accepts exactly the real YYYY-MM-DD days', () => {
    for (const day of ['2026-11-23', '2024-02-29', '0001-01-01', '9999-12-31']) expect(isDataDay(day)).toBe(true);
    for (const day of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '0000-01-01', '20261123', '2026-1-5']) {
      expect(isDataDay(day)).toBe(false);
    }
    expect(isDataDay(' 2026-11-23')).toBe(false);
  });

  it('agrees with Date on every day of four centuries, and turns each into its partition date', () => {
    const day = fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2299-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(day, (date) => {
        const text = formatDataDay(date);
        expect(text).toBe(date.toISOString().slice(0, 10));
        expect(isDataDay(text)).toBe(true);
        expect(toPartitionDate(text)).toBe(text.replaceAll('-', ''));
        expect(doneBodyProblem([{ partition_date: toPartitionDate(text) }])).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('formats a time as its UTC day', () => {
    expect(formatDataDay(new Date('2026-11-23T23:59:59.999Z'))).toBe('2026-11-23');
    expect(formatDataDay(new Date('2026-11-24T07:30:00+08:00'))).toBe('2026-11-23');
    expect(() => formatDataDay(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('reads Content-End in any case and refuses anything else', () => {
    expect(parseContentEnd('True')).toBe(true);
    expect(parseContentEnd('false')).toBe(false);
    expect(parseContentEnd('FALSE')).toBe(false);
    for (const value of ['yes', '1', '', 'True ']) expect(parseContentEnd(value)).toBeUndefined();
  });

  it('names the entry and the rule of a bad done body', () => {
    expect(doneBodyProblem([{ partition_date: '20261123' }, { partition_date: '20240229' }])).toBeUndefined();
    expect(doneBodyProblem({ partition_date: '20261123' })).toMatch(/^body: must be a non-empty JSON array/);
    expect(doneBodyProblem([])).toMatch(/^body: must be a non-empty/);
    expect(doneBodyProblem([{ partition_date: '20261123' }, 'x'])).toBe(
      'body[1]: must be an object {"partition_date":"YYYYMMDD"}',
    );
    expect(doneBodyProblem([{ partition_date: '2026-11-23' }])).toBe(
      'body[0].partition_date: must be a YYYYMMDD day, got "2026-11-23"',
    );
    expect(doneBodyProblem([{ partition_date: '20260230' }])).toMatch(/^body\[0\]\.partition_date/);
    expect(doneBodyProblem([{ day: '20261123' }])).toBe('body[0].partition_date: must be a YYYYMMDD day, got nothing');
    expect(doneBodyProblem([{ partition_date: 20261123 }])).toMatch(/got 20261123$/);
  });
});
