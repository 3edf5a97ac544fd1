import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_DAYS, resolveWindow } from './insight-window.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

describe('resolveWindow', () => {
  it('spans the default number of days up to now', () => {
    const window = resolveWindow({}, NOW);
    expect(window.end_time.getTime()).toBe(NOW);
    expect(window.start_time.getTime()).toBe(NOW - DEFAULT_WINDOW_DAYS * DAY);
  });

  it("reads the service's time format as UTC+8, and ISO 8601", () => {
    const window = resolveWindow({ start: '2026-03-01 08:00:00', end: '2026-03-02T00:00:00Z' }, NOW);
    expect(window.start_time.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(window.end_time.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('refuses windows the service would refuse, naming the flag', () => {
    expect(() => resolveWindow({ days: '90' }, NOW)).toThrow("--days: '90' is not a number of days in (0, 89]");
    expect(() => resolveWindow({ days: '3', start: '2026-03-01 00:00:00' }, NOW)).toThrow('give --days or --start');
    expect(() => resolveWindow({ start: 'yesterday' }, NOW)).toThrow("--start: 'yesterday' is not");
    expect(() => resolveWindow({ start: '2026-02-30 00:00:00' }, NOW)).toThrow(
      '--start: invalid time "2026-02-30 00:00:00": day 30 is not 01–28 in 2026-02',
    );
  });
});
