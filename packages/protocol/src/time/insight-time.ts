/** Options of the Content Insight time format. */
export interface InsightTimeOptions {
  /** Offset of the wall clock from UTC, in minutes. @default 480 (China Standard Time, the vendor's zone) */
  utcOffsetMinutes?: number;
}

/** Offset of China Standard Time from UTC, in minutes: the zone of the vendor's wall-clock times. */
export const CHINA_STANDARD_TIME_OFFSET_MINUTES = 480;

const MINUTE_MS = 60_000;

function offsetOf(options: InsightTimeOptions | undefined): number {
  const offset = options?.utcOffsetMinutes ?? CHINA_STANDARD_TIME_OFFSET_MINUTES;
  if (!Number.isInteger(offset) || Math.abs(offset) >= 24 * 60) {
    throw new RangeError(`utcOffsetMinutes must be an integer within ±1439, got ${offset}`);
  }
  return offset;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats a time as Content Insight writes it, `yyyy-mm-dd HH:mm:ss` on a fixed-offset wall clock (no DST).
 *
 * @throws RangeError for an invalid date, or a year outside 0000–9999.
 */
export function formatInsightTime(time: Date | number, options?: InsightTimeOptions): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('cannot format an invalid date');
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offsetOf(options) * MINUTE_MS);
  const year = wall.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} does not fit yyyy`);
  return (
    `${pad(year, 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
  );
}

/** Reads `length` ASCII digits of `text` from `start` as a number, or -1 when one of them is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// Offsets of the separators in `yyyy-mm-dd HH:mm:ss`.
const SEPARATORS: ReadonlyArray<readonly [number, number]> = [
  [4, 45], // -
  [7, 45], // -
  [10, 32], // space
  [13, 58], // :
  [16, 58], // :
];

/**
 * Why a text is not a Content Insight time, or undefined when it is one. Every streamed document carries several of
 * these, so the check reads character codes instead of running a regular expression.
 */
export function insightTimeProblem(text: string): string | undefined {
  if (text.length !== 19 || SEPARATORS.some(([at, code]) => text.charCodeAt(at) !== code)) {
    return 'expected yyyy-mm-dd HH:mm:ss';
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return 'expected yyyy-mm-dd HH:mm:ss';
  if (month < 1 || month > 12) return `month ${pad(month)} is not 01–12`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `day ${pad(day)} is not 01–${days} in ${pad(year, 4)}-${pad(month)}`;
  if (hour > 23) return `hour ${pad(hour)} is not 00–23`;
  if (minute > 59) return `minute ${pad(minute)} is not 00–59`;
  if (second > 59) return `second ${pad(second)} is not 00–59`;
  return undefined;
}

/**
 * Reads a Content Insight time, `yyyy-mm-dd HH:mm:ss` on a fixed-offset wall clock, into ms since the Unix epoch.
 * Strict: the exact shape, and a date that exists (`2026-02-30 00:00:00` is refused).
 *
 * @throws RangeError naming the text and what is wrong with it.
 */
export function parseInsightTime(text: string, options?: InsightTimeOptions): number {
  const offset = offsetOf(options);
  const problem = insightTimeProblem(text);
  if (problem !== undefined) throw new RangeError(`invalid time ${JSON.stringify(text)}: ${problem}`);
  const [year, month, day, hour, minute, second] = text.split(/[- :]/).map(Number);
  const utc = new Date(0);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  return utc.getTime() - offset * MINUTE_MS;
}
