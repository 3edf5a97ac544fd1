import { fieldValue, type RuleDocument } from './fields.js';
import { normalizeText } from './normalize.js';
import { fieldsOf, type Rule, type RuleNode } from './types.js';
import { assertRuleShape } from './validate.js';

/**
 * The reference semantics of a rule, written for clarity rather than speed (use `compileRule` to match many posts):
 *
 * - Text is compared after {@link normalizeText} (NFKC, then A–Z lower-cased), on both sides.
 * - `["in", k, F]`: some field of F holds a value whose text contains k; for `tags`, some tag contains k.
 * - `["in_list", F, vs]` and `["list_intersect", F, vs]`: some field of F holds a value (a tag, for `tags`) equal to
 *   one of vs. On a one-value field both mean "the value is one of vs"; on `tags` both mean "a tag is one of vs".
 * - A missing or empty field never matches.
 * - `and` matches when every child does, `or` when one does.
 *
 * Throws a `RuleValidationError` if the rule is malformed, as `compileRule` does; kind limits are not checked.
 */
export function evaluateRule(rule: Rule, doc: RuleDocument): boolean {
  return evaluateNode(assertRuleShape(rule), doc);
}

function evaluateNode(node: RuleNode, doc: RuleDocument): boolean {
  switch (node[0]) {
    case 'and':
      return node.slice(1).every((child) => evaluateNode(child as RuleNode, doc));
    case 'or':
      return node.slice(1).some((child) => evaluateNode(child as RuleNode, doc));
    case 'in': {
      const keyword = normalizeText(node[1]);
      return fieldsOf(node[2]).some((field) => valuesOf(doc, field).some((text) => text.includes(keyword)));
    }
    case 'in_list':
    case 'list_intersect': {
      const wanted = node[2].map(normalizeText);
      return fieldsOf(node[1]).some((field) => valuesOf(doc, field).some((value) => wanted.includes(value)));
    }
  }
}

/** The normalised, non-empty values of a field: none, one, or one per tag. */
function valuesOf(doc: RuleDocument, field: Parameters<typeof fieldValue>[1]): string[] {
  const value = fieldValue(doc, field);
  const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return values.map(normalizeText).filter((text) => text.length > 0);
}
