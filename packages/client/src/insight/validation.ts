/**
 * Request validation before anything is sent: the protocol's body schemas, then the rule language with the limits of
 * the task kind, so that a mistake is reported with its path instead of as the service's bare `[40004]invalid param`.
 */
import { formatInsightTime } from '@insight/protocol';
import { type RuleKind, validateRule } from '@insight/rules';
import { RequestValidationError, type ValidationIssue } from '../core/errors.js';
import type { DataSchema } from './api.js';

/** A wall-clock time as the service writes it (`yyyy-mm-dd HH:mm:ss`, UTC+8), or a `Date` formatted to that. */
export type InsightTimeInput = string | Date;

/** Formats `Date` values of the time fields; strings are left for the schema to check. */
export function withInsightTimes<T extends { start_time: InsightTimeInput; end_time: InsightTimeInput }>(
  params: T,
): Omit<T, 'start_time' | 'end_time'> & { start_time: string; end_time: string } {
  return { ...params, start_time: toInsightTime(params.start_time), end_time: toInsightTime(params.end_time) };
}

function toInsightTime(value: InsightTimeInput): string {
  return value instanceof Date ? formatInsightTime(value) : value;
}

/**
 * Checks a request body against its schema and, when `ruleKind` is given, its `rule` against the rule language.
 *
 * @throws RequestValidationError listing every problem with its path.
 */
export function validateRequest<T>(schema: DataSchema<T>, input: unknown, ruleKind?: RuleKind): T {
  const issues: ValidationIssue[] = [];
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push({ path: formatIssuePath(issue.path) || '(body)', message: issue.message });
    }
  }
  const rule = (input as { rule?: unknown } | null)?.rule;
  if (ruleKind !== undefined && rule !== undefined && !issues.some((issue) => issue.path.startsWith('rule'))) {
    const checked = validateRule(rule, { kind: ruleKind });
    if (!checked.ok) for (const error of checked.errors) issues.push({ path: error.path, message: error.message });
  }
  if (issues.length > 0 || !parsed.success) throw new RequestValidationError(issues);
  return parsed.data;
}

/** A schema issue's path as users write it: `items[2].extra`; `''` for the value itself. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
