import { RULE_FIELDS, type RuleField } from './fields.js';
import { RULE_KINDS, RULE_LIMITS } from './limits.js';
import { fieldsOf, isLogicNode, type Rule, type RuleKind, type RuleNode } from './types.js';

/** What a rule contains, measured the way the service's limits count. */
export interface RuleStats {
  /** Logic nodes on the longest path from the root (a bare condition: 0). */
  readonly depth: number;
  /** Leaf nodes as the limits count them: one per keyword, one per list value. */
  readonly nodes: number;
  /** Conditions (`in`, `in_list`, `list_intersect` nodes). */
  readonly conditions: number;
  /** The longest `in_list` / `list_intersect` list (0 when there is none). */
  readonly maxListLength: number;
  /** The fields tested, in {@link RULE_FIELDS} order. */
  readonly fields: readonly RuleField[];
  /** The distinct keywords of `in` conditions, in rule order. */
  readonly keywords: readonly string[];
  /** The distinct values of `in_list` / `list_intersect` lists, in rule order. */
  readonly values: readonly string[];
  /** Whether the rule fits each task kind's limits and fields. */
  readonly fits: { readonly [K in RuleKind]: boolean };
}

/** Measures a rule: depth, node count, fields, keywords, and which task kinds accept it. */
export function analyzeRule(rule: Rule): RuleStats {
  let nodes = 0;
  let conditions = 0;
  let maxListLength = 0;
  const fields = new Set<RuleField>();
  const keywords = new Set<string>();
  const values = new Set<string>();

  const visit = (node: RuleNode): number => {
    if (isLogicNode(node)) {
      let deepest = 0;
      for (let i = 1; i < node.length; i++) deepest = Math.max(deepest, visit(node[i] as RuleNode));
      return deepest + 1;
    }
    conditions += 1;
    if (node[0] === 'in') {
      nodes += 1;
      keywords.add(node[1]);
      for (const field of fieldsOf(node[2])) fields.add(field);
    } else {
      nodes += node[2].length;
      maxListLength = Math.max(maxListLength, node[2].length);
      for (const value of node[2]) values.add(value);
      for (const field of fieldsOf(node[1])) fields.add(field);
    }
    return 0;
  };

  const depth = visit(rule);
  const usedFields = RULE_FIELDS.filter((field) => fields.has(field));
  const fits = Object.fromEntries(
    RULE_KINDS.map((kind) => {
      const limits = RULE_LIMITS[kind];
      const ok =
        depth <= limits.maxDepth &&
        nodes <= limits.maxNodes &&
        maxListLength <= limits.maxListLength &&
        usedFields.every((field) => limits.fields.includes(field));
      return [kind, ok];
    }),
  ) as { [K in RuleKind]: boolean };
  return {
    depth,
    nodes,
    conditions,
    maxListLength,
    fields: usedFields,
    keywords: [...keywords],
    values: [...values],
    fits,
  };
}
