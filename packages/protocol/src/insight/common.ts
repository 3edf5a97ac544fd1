import { z } from 'zod';
import { insightTimeProblem } from '../time/insight-time.js';

/**
 * A wall-clock time, `yyyy-mm-dd HH:mm:ss`, that exists in the calendar. Every streamed post carries up to seven of
 * these, so the check is a plain `refine` (a `superRefine` allocates a context per call, twice the cost) and the
 * message is only worked out for a time that fails.
 */
export const InsightTime = z.string().refine((text) => insightTimeProblem(text) === undefined, {
  error: (issue) => `invalid time ${JSON.stringify(issue.input)}: ${insightTimeProblem(String(issue.input))}`,
});
/** A wall-clock time, `yyyy-mm-dd HH:mm:ss`. */
export type InsightTime = z.infer<typeof InsightTime>;

/**
 * A rule, checked here only as a JSON array such as `["and", …]`; the rule language itself (operators, fields,
 * depth and node limits) is validated by `@insight/rules`.
 */
export const InsightRule = z.array(z.unknown(), { error: 'rule must be a JSON array such as ["and", …]' });
/** A rule as it travels: a JSON array. */
export type InsightRule = z.infer<typeof InsightRule>;

/** A task id: a non-negative integer, auto-incremented per business. */
export const TaskId = z.number().int().nonnegative();
/** A task id. */
export type TaskId = z.infer<typeof TaskId>;

/** A task id in a query string, read into a number. */
export const TaskIdParam = z
  .string()
  .regex(/^\d{1,15}$/, 'task_id must be a non-negative integer')
  .transform(Number);

/** A time window; `end_time` must come after `start_time`. */
export const TimeWindow = z.object({ start_time: InsightTime, end_time: InsightTime });

/** Adds the `end_time > start_time` check to a schema holding a time window. */
export function withOrderedWindow<T extends z.ZodType<{ start_time: string; end_time: string }>>(schema: T): T {
  return schema.refine((body) => body.end_time > body.start_time, {
    message: 'end_time must be after start_time',
    path: ['end_time'],
  }) as unknown as T;
}

/** The envelope of every Content Insight response; `status` 0 is success, else `message` reads `[code]text`. */
export const InsightEnvelope = z.object({
  status: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
/** The envelope of every Content Insight response. */
export type InsightEnvelope = z.infer<typeof InsightEnvelope>;

/** The schema of a successful response whose `data` follows `data`. */
export function insightResponse<T extends z.ZodType>(data: T) {
  return z.object({ status: z.literal(0), message: z.string(), data });
}
