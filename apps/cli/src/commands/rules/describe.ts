import {
  type FieldRef,
  fieldsOf,
  isLogicNode,
  type LeafNode,
  type RuleExplanation,
  type RuleNode,
} from '@insight/rules';
import { truncate } from '../../format.js';
import type { Styles } from '../../output.js';

/** Values of a list condition shown before eliding the rest. */
const SHOWN_LIST_VALUES = 5;

/** `title` or `title|asr|ocr`. */
function describeFields(ref: FieldRef): string {
  return fieldsOf(ref).join('|');
}

/** One condition in words: `title contains "coffee"`. */
export function describeCondition(node: LeafNode): string {
  if (node[0] === 'in') return `${describeFields(node[2])} contains ${JSON.stringify(node[1])}`;
  const values = node[2];
  const shown = values.slice(0, SHOWN_LIST_VALUES).map((v) => JSON.stringify(v));
  if (values.length > SHOWN_LIST_VALUES) shown.push(`… ${values.length - SHOWN_LIST_VALUES} more`);
  const verb = node[0] === 'in_list' ? 'is one of' : 'shares a value with';
  return `${describeFields(node[1])} ${verb} [${shown.join(', ')}]`;
}

/** The rule as an indented tree in words, one line per node. */
export function describeRule(node: RuleNode, indent = ''): string[] {
  if (isLogicNode(node)) {
    const head = `${indent}${node[0] === 'and' ? 'all of' : 'any of'}:`;
    return [head, ...node.slice(1).flatMap((child) => describeRule(child as RuleNode, `${indent}  `))];
  }
  return [`${indent}${describeCondition(node as LeafNode)}`];
}

/** The distinct keywords or values that made a post match, with the field each was found in: `coffee (title)`. */
export function matchedTerms(explanation: RuleExplanation): string[] {
  const terms = new Set<string>();
  for (const condition of explanation.conditions) {
    if (!condition.matched) continue;
    for (const hit of condition.hits) terms.add(`${hit.text} (${hit.field})`);
  }
  return [...terms];
}

/** One line per condition: ✓ or ✗, the condition, and where it was found. */
export function describeExplanation(explanation: RuleExplanation, style: Styles): string[] {
  return explanation.conditions.map((condition) => {
    const mark = condition.matched ? style.green('✓') : style.red('✗');
    const where = condition.hits.map(
      (hit) => `${hit.field}${hit.element === undefined ? '' : `[${hit.element}]`}@${hit.start}`,
    );
    const found = where.length > 0 ? style.dim(` found at ${where.join(', ')}`) : '';
    return `  ${mark} ${style.dim(condition.path)} ${truncate(describeCondition(condition.node), 100)}${found}`;
  });
}
