/**
 * The days of ByteAir data: a write names the day its rows belong to in `Content-Date` (`YYYY-MM-DD`) and marks the
 * day's last batch with `Content-End: True`; `done` declares days complete with a JSON body
 * `[{"partition_date":"YYYYMMDD"}, …]`. Client and emulator both check them here.
 */

const DATA_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const PARTITION_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** `Content-End` as the official SDKs send it (Python's `str(bool)`). */
export const CONTENT_END = { last: 'True', more: 'False' } as const;

/** Whether the digits name a real calendar day of a year from 1 on (`2026-02-30` does not). */
function isCalendarDay(year: string, month: string, day: string): boolean {
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  return (
    Number(year) > 0 &&
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
}

/** Whether `text` is a `Content-Date`: a real `YYYY-MM-DD` day. */
export function isDataDay(text: string): boolean {
  const m = DATA_DAY.exec(text);
  return m !== null && isCalendarDay(m[1]!, m[2]!, m[3]!);
}

/**
 * The `Content-Date` of a time: its UTC day, `YYYY-MM-DD`.
 *
 * @throws RangeError when the date is invalid.
 */
export function formatDataDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The `partition_date` of a `YYYY-MM-DD` day: the same day as `YYYYMMDD`. */
export function toPartitionDate(day: string): string {
  return day.replaceAll('-', '');
}

/** Reads `Content-End`: `True` or `False` in any letter case, else undefined. */
export function parseContentEnd(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/**
 * What is wrong with a parsed `done` body, as `path: rule`, or undefined when it is a non-empty array of
 * `{ "partition_date": "YYYYMMDD" }` naming real days.
 */
export function doneBodyProblem(body: unknown): string | undefined {
  if (!Array.isArray(body) || body.length === 0) {
    return 'body: must be a non-empty JSON array of {"partition_date":"YYYYMMDD"}';
  }
  for (let i = 0; i < body.length; i++) {
    const entry: unknown = body[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return `body[${i}]: must be an object {"partition_date":"YYYYMMDD"}`;
    }
    const date = (entry as Record<string, unknown>).partition_date;
    const m = typeof date === 'string' ? PARTITION_DATE.exec(date) : null;
    if (m === null || !isCalendarDay(m[1]!, m[2]!, m[3]!)) {
      return `body[${i}].partition_date: must be a YYYYMMDD day, got ${JSON.stringify(date) ?? 'nothing'}`;
    }
  }
  return undefined;
}
