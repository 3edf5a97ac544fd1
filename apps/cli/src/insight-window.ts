import { INSIGHT_LIMITS, parseInsightTime } from '@insight/protocol';
import type { OptionSpecs } from './command.js';
import { usageError } from './errors.js';

/** Days a window spans when neither `--days` nor `--start` is given. */
export const DEFAULT_WINDOW_DAYS = 7;

/**
 * Longest `--days` window. The service accepts starts within the last 90 days by its own clock, so a start exactly 90
 * days back would be refused by the time the request arrives.
 */
export const MAX_WINDOW_DAYS = INSIGHT_LIMITS.backtrackWindowDays - 1;

/** The time window flags of backtrack and search commands. */
export const WINDOW_OPTIONS = {
  days: {
    type: 'string',
    placeholder: '<n>',
    description: `Window of the last n days, ending now (default ${DEFAULT_WINDOW_DAYS}; at most ${MAX_WINDOW_DAYS})`,
  },
  start: {
    type: 'string',
    placeholder: '<time>',
    description: "Window start, 'yyyy-mm-dd HH:mm:ss' (UTC+8) or ISO 8601",
  },
  end: { type: 'string', placeholder: '<time>', description: 'Window end (default now)' },
} as const satisfies OptionSpecs;

/** A backtrack or search window. */
export interface TimeWindow {
  readonly start_time: Date;
  readonly end_time: Date;
}

/** The window the flags select, ending now unless `--end` says otherwise. */
export function resolveWindow(
  values: { readonly days?: string; readonly start?: string; readonly end?: string },
  now = Date.now(),
): TimeWindow {
  if (values.days !== undefined && values.start !== undefined) throw usageError('give --days or --start, not both');
  const end = values.end === undefined ? new Date(now) : parseTime(values.end, '--end');
  if (values.start !== undefined) return { start_time: parseTime(values.start, '--start'), end_time: end };
  const days = values.days === undefined ? DEFAULT_WINDOW_DAYS : Number(values.days);
  if (!Number.isFinite(days) || days <= 0 || days > MAX_WINDOW_DAYS) {
    throw usageError(`--days: '${values.days}' is not a number of days in (0, ${MAX_WINDOW_DAYS}]`);
  }
  return { start_time: new Date(end.getTime() - days * 86_400_000), end_time: end };
}

/** `yyyy-mm-dd HH:mm:ss` is the service's format, read as the protocol reads it (UTC+8, strict calendar); anything
 * else must be a time JS can read. */
function parseTime(value: string, flag: string): Date {
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) {
    try {
      return new Date(parseInsightTime(value));
    } catch (error) {
      throw usageError(`${flag}: ${(error as Error).message}`);
    }
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw usageError(`${flag}: '${value}' is not 'yyyy-mm-dd HH:mm:ss' or an ISO 8601 time`);
  return date;
}
