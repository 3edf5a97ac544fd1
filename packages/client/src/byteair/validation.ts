import { BYTEAIR_LIMITS, type CallbackRequest, isDataDay, type PredictRequest } from '@insight/protocol';
import type { ValidationIssue } from '../core/errors.js';
import type { DataDate } from './types.js';

/** Most items one data write may carry. */
export const MAX_WRITE_ITEMS = BYTEAIR_LIMITS.writeDataMaxItems;

const PATH_SEGMENT = /^[^/?#\s]+$/;

/** Problems of a callback about to be sent (its scene already defaulted). */
export function callbackIssues(request: CallbackRequest, spmRoute: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (request.uid === '') issues.push({ path: 'uid', message: 'is required' });
  if (request.items.length === 0) issues.push({ path: 'items', message: 'must not be empty' });
  request.items.forEach((item, i) => {
    if (item.id === '') issues.push({ path: `items[${i}].id`, message: 'is required' });
    if (item.extra !== '' && !isJson(item.extra))
      issues.push({ path: `items[${i}].extra`, message: 'must be valid JSON' });
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
  if (!Number.isInteger(request.size) || request.size < 0) {
    issues.push({ path: 'size', message: 'must be a non-negative integer' });
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
  return typeof date === 'string' ? date : date.toISOString().slice(0, 10);
}

function dateIssues(path: string, date: DataDate): ValidationIssue[] {
  if (date instanceof Date) return Number.isNaN(date.getTime()) ? [{ path, message: 'must be a valid date' }] : [];
  return isDataDay(date) ? [] : [{ path, message: `must be a YYYY-MM-DD day, got ${JSON.stringify(date)}` }];
}

function segmentIssues(path: string, value: string): ValidationIssue[] {
  if (typeof value !== 'string' || value === '') return [{ path, message: 'is required' }];
  return PATH_SEGMENT.test(value) ? [] : [{ path, message: 'must not contain "/", "?", "#" or whitespace' }];
}

/**
 * `extra` values already found to be JSON. Callbacks repeat a handful of them (`{"reason":"kept"}`, …), and parsing
 * each one again costs more than the rest of a callback's validation; short ones only, so the set stays small.
 */
const KNOWN_JSON = new Set<string>();
const KNOWN_JSON_MAX_ENTRIES = 256;
const KNOWN_JSON_MAX_LENGTH = 256;

function isJson(text: string): boolean {
  if (KNOWN_JSON.has(text)) return true;
  try {
    JSON.parse(text);
  } catch {
    return false;
  }
  if (text.length <= KNOWN_JSON_MAX_LENGTH) {
    if (KNOWN_JSON.size >= KNOWN_JSON_MAX_ENTRIES) KNOWN_JSON.clear();
    KNOWN_JSON.add(text);
  }
  return true;
}
