import {
  BYTEAIR_LIMITS,
  type CallbackRequest,
  callbackExtraProblem,
  formatDataDay,
  isDataDay,
  type PredictRequest,
} from '@insight/protocol';
import type { ValidationIssue } from '../core/errors.js';
import type { DataDate } from './types.js';

/** Most items one data write may carry. */
export const MAX_WRITE_ITEMS = BYTEAIR_LIMITS.writeDataMaxItems;

/** Largest value of a protobuf `int32` field, e.g. predict's `size`. */
export const MAX_INT32 = 2 ** 31 - 1;

const PATH_SEGMENT = /^[^/?#\s]+$/;
/** A UTF-16 surrogate without its pair: `encodeURIComponent` throws on it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Problems of a request as the caller passed it, before it becomes a message: it must be an object, and each field in
 * `repeated` (a list of messages) an array of objects when given.
 */
export function messageInputIssues(input: unknown, repeated: readonly string[]): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: 'request', message: 'must be an object' }];
  }
  const issues: ValidationIssue[] = [];
  for (const field of repeated) {
    const list = (input as Record<string, unknown>)[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push({ path: field, message: 'must be an array' });
      continue;
    }
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        issues.push({ path: `${field}[${i}]`, message: 'must be an object' });
      }
    });
  }
  return issues;
}

/** Problems of a callback about to be sent (its scene already defaulted). */
export function callbackIssues(request: CallbackRequest, spmRoute: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (request.uid === '') issues.push({ path: 'uid', message: 'is required' });
  if (request.items.length === 0) issues.push({ path: 'items', message: 'must not be empty' });
  request.items.forEach((item, i) => {
    if (item.id === '') issues.push({ path: `items[${i}].id`, message: 'is required' });
    const extraProblem = callbackExtraProblem(item.extra);
    if (extraProblem !== undefined) issues.push({ path: `items[${i}].extra`, message: extraProblem });
  });
  if (spmRoute && !request.context?.spm) {
    issues.push({ path: 'context.spm', message: 'is required when Enable-Spm-Route is true' });
  }
  return issues;
}

/** Problems of a predict request and its scene. */
export function predictIssues(request: PredictRequest, scene: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!request.user?.uid) issues.push({ path: 'user.uid', message: 'is required' });
  if (!Number.isInteger(request.size) || request.size < 0 || request.size > MAX_INT32) {
    issues.push({ path: 'size', message: `must be a non-negative integer no greater than ${MAX_INT32}` });
  }
  issues.push(...segmentIssues('scene', scene));
  return issues;
}

/** Problems of a data write. */
export function writeDataIssues(
  data: readonly unknown[],
  topic: string,
  date: DataDate | undefined,
): ValidationIssue[] {
  const issues = segmentIssues('topic', topic);
  if (!Array.isArray(data) || data.length === 0) issues.push({ path: 'data', message: 'must be a non-empty array' });
  else if (data.length > MAX_WRITE_ITEMS) {
    issues.push({ path: 'data', message: `must hold at most ${MAX_WRITE_ITEMS} items, got ${data.length}` });
  } else {
    data.forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        issues.push({ path: `data[${i}]`, message: 'must be an object' });
      }
    });
  }
  if (date !== undefined) issues.push(...dateIssues('date', date));
  return issues;
}

/**
 * Problems of data rows that JSON cannot serialise (a `BigInt`, a cycle, a throwing `toJSON`), given the error
 * `JSON.stringify` threw for the whole array: each such row as `data[i]`, or `data` when no single row fails.
 */
export function jsonRowIssues(data: readonly unknown[], error: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  data.forEach((row, i) => {
    try {
      JSON.stringify(row);
    } catch (rowError) {
      issues.push({ path: `data[${i}]`, message: `cannot be serialised as JSON: ${errorText(rowError)}` });
    }
  });
  return issues.length > 0 ? issues : [{ path: 'data', message: `cannot be serialised as JSON: ${errorText(error)}` }];
}

/** Problems of a done call. */
export function doneIssues(topic: string, dates: readonly DataDate[]): ValidationIssue[] {
  const issues = segmentIssues('topic', topic);
  dates.forEach((date, i) => {
    issues.push(...dateIssues(`dates[${i}]`, date));
  });
  return issues;
}

/** `YYYY-MM-DD` of a data date (the UTC day of a `Date`). */
export function formatDay(date: DataDate): string {
  return typeof date === 'string' ? date : formatDataDay(date);
}

function dateIssues(path: string, date: DataDate): ValidationIssue[] {
  if (date instanceof Date) return Number.isNaN(date.getTime()) ? [{ path, message: 'must be a valid date' }] : [];
  return isDataDay(date) ? [] : [{ path, message: `must be a YYYY-MM-DD day, got ${JSON.stringify(date)}` }];
}

function segmentIssues(path: string, value: string): ValidationIssue[] {
  if (typeof value !== 'string' || value === '') return [{ path, message: 'is required' }];
  if (!PATH_SEGMENT.test(value)) return [{ path, message: 'must not contain "/", "?", "#" or whitespace' }];
  if (!isWellFormed(value)) return [{ path, message: 'must be well-formed Unicode (no lone surrogate)' }];
  return [];
}

/** Whether a string is well-formed UTF-16 (no lone surrogate), so that it can be URL-encoded. */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unknown error';
  }
}
