import type { RuleField } from './fields.js';
import type { AndNode, FieldRef, InListNode, InNode, ListIntersectNode, OrNode, RuleNode } from './types.js';
import { assertRuleShape } from './validate.js';

/** One field, or a non-empty list of fields (any of which may match). */
export type FieldSelector = RuleField | readonly [RuleField, ...RuleField[]];

function fieldRef(fields: FieldSelector): FieldRef {
  return typeof fields === 'string' ? { f: fields } : fields.length === 1 ? { f: fields[0] } : { fl: [...fields] };
}

// The types rule out most mistakes; the run-time check catches the rest (empty keywords, depth, untyped callers).
function checked<T extends RuleNode>(node: T): T {
  assertRuleShape(node);
  return node;
}

/**
 * Builds rules in code. Every function returns a well-formed node and throws a `RuleValidationError` for an empty
 * keyword or value, or logic nested deeper than any task allows.
 *
 * @example
 * rule.and(rule.keyword('测试', 'title'), rule.or(rule.keyword('火山', 'asr', 'ocr')))
 */
export const rule = {
  /** Every child matches. */
  and(first: RuleNode, ...rest: RuleNode[]): AndNode {
    return checked(['and', first, ...rest]);
  },
  /** At least one child matches. */
  or(first: RuleNode, ...rest: RuleNode[]): OrNode {
    return checked(['or', first, ...rest]);
  },
  /** The keyword occurs in any of the fields: `["in", keyword, {"f"}]` for one field, `{"fl"}` for several. */
  keyword(keyword: string, ...fields: [RuleField, ...RuleField[]]): InNode {
    return checked(['in', keyword, fieldRef(fields)]);
  },
  /** The field's value equals one of the values: `["in_list", field, values]`. */
  inList(fields: FieldSelector, values: readonly [string, ...string[]]): InListNode {
    return checked(['in_list', fieldRef(fields), [...values]]);
  },
  /** The field (a list such as `tags`) shares a value with the list: `["list_intersect", field, values]`. */
  listIntersect(fields: FieldSelector, values: readonly [string, ...string[]]): ListIntersectNode {
    return checked(['list_intersect', fieldRef(fields), [...values]]);
  },
} as const;
