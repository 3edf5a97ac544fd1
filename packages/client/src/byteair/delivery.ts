import type { CallbackItem } from '@insight/protocol';
import { RequestValidationError, type ValidationIssue } from '../core/errors.js';

/** What one delivery showed the user, and what it left out. */
export interface Delivery {
  /** Item ids in the order the user saw them, force-inserted ones included. */
  shown: readonly string[];
  /** Ids among `shown` that were force-inserted rather than recommended. */
  inserted?: readonly string[] | undefined;
  /** Recommended ids that were not shown (sold out, blocked, …). */
  filtered?: readonly string[] | undefined;
}

/**
 * The items of one callback for one delivery, as the vendor asks: every shown item with its 1-based position and
 * `{"reason":"kept"}` or `{"reason":"inserted"}`, then every filtered item with position `0` and
 * `{"reason":"filtered"}`.
 *
 * @throws RequestValidationError when an id repeats, an inserted id was not shown, or a filtered id was shown.
 */
export function buildCallbackItems(delivery: Delivery): CallbackItem[] {
  const issues: ValidationIssue[] = [];
  const shown = new Set<string>();
  delivery.shown.forEach((id, i) => {
    if (id === '') issues.push({ path: `shown[${i}]`, message: 'must not be empty' });
    else if (shown.has(id)) issues.push({ path: `shown[${i}]`, message: `repeats id ${JSON.stringify(id)}` });
    shown.add(id);
  });
  const inserted = new Set(delivery.inserted);
  delivery.inserted?.forEach((id, i) => {
    if (!shown.has(id)) issues.push({ path: `inserted[${i}]`, message: `${JSON.stringify(id)} is not in shown` });
  });
  const filtered = new Set<string>();
  delivery.filtered?.forEach((id, i) => {
    if (id === '') issues.push({ path: `filtered[${i}]`, message: 'must not be empty' });
    else if (shown.has(id)) issues.push({ path: `filtered[${i}]`, message: `${JSON.stringify(id)} was shown` });
    else if (filtered.has(id)) issues.push({ path: `filtered[${i}]`, message: `repeats id ${JSON.stringify(id)}` });
    filtered.add(id);
  });
  if (issues.length > 0) throw new RequestValidationError(issues);
  return [
    ...delivery.shown.map((id, i) => ({
      id,
      pos: String(i + 1),
      extra: reason(inserted.has(id) ? 'inserted' : 'kept'),
    })),
    ...[...filtered].map((id) => ({ id, pos: '0', extra: reason('filtered') })),
  ];
}

function reason(value: 'kept' | 'inserted' | 'filtered'): string {
  return JSON.stringify({ reason: value });
}
