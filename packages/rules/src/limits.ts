import { RULE_FIELDS, type RuleField } from './fields.js';
import type { RuleKind } from './types.js';

/** What one task kind accepts. */
export interface RuleLimits {
  /** Logic nodes (`and`, `or`) on the longest path from the root; a bare condition has depth 0. */
  readonly maxDepth: number;
  /** Leaf nodes in the whole rule: one per keyword, one per value of an `in_list` or `list_intersect` list. */
  readonly maxNodes: number;
  /** Values in one `in_list` or `list_intersect` list. */
  readonly maxListLength: number;
  /** The fields a rule of this kind may test. */
  readonly fields: readonly RuleField[];
}

/** The task kinds, in the order help texts list them. */
export const RULE_KINDS: readonly RuleKind[] = ['backtrack', 'realtime', 'realtime-sync'];

/**
 * The limits of each task kind, as the vendor's Content Insight documentation of rules states them: the service answers
 * `[40004]invalid param` beyond them.
 */
export const RULE_LIMITS: { readonly [K in RuleKind]: RuleLimits } = {
  backtrack: { maxDepth: 3, maxNodes: 200, maxListLength: 200, fields: RULE_FIELDS },
  realtime: { maxDepth: 3, maxNodes: 10_000, maxListLength: 10_000, fields: RULE_FIELDS },
  'realtime-sync': {
    maxDepth: 3,
    maxNodes: 10_000,
    maxListLength: 10_000,
    fields: RULE_FIELDS.filter((field) => field !== 'tags'),
  },
};
