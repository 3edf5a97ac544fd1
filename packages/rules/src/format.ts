import { fieldsOf, type FieldRef, type Rule, type RuleNode } from './types.js';

/**
 * How {@link formatRule} writes a rule: `compact` is canonical JSON on one line (what the service receives), `pretty`
 * is JSON with one condition per line, `line` is the one-line syntax that `parseRuleLine` reads.
 */
export type RuleFormat = 'compact' | 'pretty' | 'line';

/**
 * Writes a rule as canonical compact JSON, pretty JSON, or the one-line syntax (`title:"测试" AND (asr|ocr):"火山"`).
 * Every format reads back to the same rule.
 */
export function formatRule(rule: Rule, format: RuleFormat = 'compact'): string {
  switch (format) {
    case 'compact':
      return JSON.stringify(canonical(rule));
    case 'pretty':
      return pretty(rule, '');
    case 'line':
      return line(rule, true);
  }
}

// A copy holding only what the grammar defines, in a fixed key order, so equal rules print equal.
function canonical(node: RuleNode): unknown {
  switch (node[0]) {
    case 'and':
    case 'or':
      return [node[0], ...node.slice(1).map((child) => canonical(child as RuleNode))];
    case 'in':
      return ['in', node[1], canonicalRef(node[2])];
    default:
      return [node[0], canonicalRef(node[1]), [...node[2]]];
  }
}

function canonicalRef(ref: FieldRef): unknown {
  return 'f' in ref ? { f: ref.f } : { fl: [...ref.fl] };
}

function pretty(node: RuleNode, indent: string): string {
  if (node[0] !== 'and' && node[0] !== 'or') return JSON.stringify(canonical(node));
  const inner = `${indent}  `;
  const children = node.slice(1).map((child) => `${inner}${pretty(child as RuleNode, inner)}`);
  return `[\n${inner}${JSON.stringify(node[0])},\n${children.join(',\n')}\n${indent}]`;
}

// Children that are logic nodes get parentheses (or the AND(…) form), so the tree's shape survives a round trip.
function line(node: RuleNode, top: boolean): string {
  switch (node[0]) {
    case 'and':
    case 'or': {
      const operator = node[0].toUpperCase();
      if (node.length === 2) return `${operator}(${line(node[1] as RuleNode, true)})`;
      const joined = node
        .slice(1)
        .map((child) => line(child as RuleNode, false))
        .join(` ${operator} `);
      return top ? joined : `(${joined})`;
    }
    case 'in':
      return `${lineFields(node[2])}:${JSON.stringify(node[1])}`;
    case 'in_list':
      return `${lineFields(node[1])} IN ${lineList(node[2])}`;
    case 'list_intersect':
      return `${lineFields(node[1])} ANY ${lineList(node[2])}`;
  }
}

function lineFields(ref: FieldRef): string {
  return 'f' in ref ? ref.f : `(${fieldsOf(ref).join('|')})`;
}

function lineList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
}
