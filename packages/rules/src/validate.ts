import { analyzeRule, type RuleStats } from './analyze.js';
import { isRuleField, RULE_FIELDS, type RuleField } from './fields.js';
import { RULE_KINDS, RULE_LIMITS, type RuleLimits } from './limits.js';
import { normalizeQuickly } from './normalize.js';
import { createSensitiveWordMatcher, type SensitiveWordMatcher } from './sensitive.js';
import { didYouMean } from './suggest.js';
import type { FieldRef, Rule, RuleKind, RuleNode } from './types.js';

/** What a validation error is about; stable, for programs that react to specific problems. */
export type RuleIssueCode =
  | 'invalid_node'
  | 'unknown_operator'
  | 'invalid_arity'
  | 'empty_logic'
  | 'too_deep'
  | 'invalid_keyword'
  | 'sensitive_word'
  | 'invalid_field'
  | 'unknown_field'
  | 'field_not_allowed'
  | 'invalid_values'
  | 'list_too_long'
  | 'too_many_nodes';

/** One problem found in a rule. */
export interface RuleIssue {
  /** Where, as a JSON path from the rule: `rule[1][2][2].f`. */
  readonly path: string;
  /** A plain sentence saying which rule was broken, without the path. */
  readonly message: string;
  /** The kind of problem. */
  readonly code: RuleIssueCode;
}

/** What a rule is validated against. */
export interface ValidateRuleOptions {
  /** The task the rule is for; it sets the limits ({@link RULE_LIMITS}) and the fields allowed. */
  readonly kind: RuleKind;
  /** Words no keyword may contain (compared after normalisation), such as the service's sensitive words. */
  readonly sensitiveWords?: readonly string[];
  /**
   * The name of the rule in paths, for rules nested in a request body.
   * @default 'rule'
   */
  readonly path?: string;
}

/** The outcome of {@link validateRule}: the typed rule and its statistics, or every problem found. */
export type RuleValidation =
  | { readonly ok: true; readonly rule: Rule; readonly stats: RuleStats }
  | { readonly ok: false; readonly errors: readonly RuleIssue[] };

/** Thrown by {@link parseRule} and the builder when a rule is invalid; `issues` lists every problem. */
export class RuleValidationError extends Error {
  override readonly name = 'RuleValidationError';
  /** Every problem found, in document order. */
  readonly issues: readonly RuleIssue[];

  constructor(issues: readonly RuleIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid rule (${count}):\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
    this.issues = issues;
  }
}

/** An issue as one line: `rule[1][2][2].f: unknown field "titel" (did you mean "title"?)`. */
export function formatIssue(issue: RuleIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/**
 * Checks unknown input (parsed JSON) against the rule grammar and the limits of a task kind. Every problem is
 * reported, each with its path; arbitrary input never throws.
 */
export function validateRule(input: unknown, options: ValidateRuleOptions): RuleValidation {
  if (!Object.hasOwn(RULE_LIMITS, options.kind)) {
    throw new TypeError(`options.kind must be one of ${RULE_KINDS.map((kind) => `"${kind}"`).join(', ')}`);
  }
  const limits = RULE_LIMITS[options.kind];
  const sensitive = createSensitiveWordMatcher(options.sensitiveWords ?? []);
  const result = checkRule(input, options.path ?? 'rule', { limits, kind: options.kind, sensitive });
  return result.errors.length > 0
    ? { ok: false, errors: result.errors }
    : { ok: true, rule: result.rule!, stats: analyzeRule(result.rule!) };
}

/** Like {@link validateRule}, but returns the rule and throws a {@link RuleValidationError} listing the problems. */
export function parseRule(input: unknown, options: ValidateRuleOptions): Rule {
  const result = validateRule(input, options);
  if (!result.ok) throw new RuleValidationError(result.errors);
  return result.rule;
}

/** The grammar with no kind's limits beyond the shared depth cap; for checking rules built in code. */
const ANY_KIND: RuleLimits = {
  maxDepth: Math.max(...RULE_KINDS.map((kind) => RULE_LIMITS[kind].maxDepth)),
  maxNodes: Number.POSITIVE_INFINITY,
  maxListLength: Number.POSITIVE_INFINITY,
  fields: RULE_FIELDS,
};

const NO_SENSITIVE_WORDS = createSensitiveWordMatcher([]);

/** Throws a {@link RuleValidationError} unless the value is a well-formed rule (no kind limits applied). */
export function assertRuleShape(input: unknown, path = 'rule'): Rule {
  const result = checkRule(input, path, { limits: ANY_KIND, kind: undefined, sensitive: NO_SENSITIVE_WORDS });
  if (result.errors.length > 0) throw new RuleValidationError(result.errors);
  return result.rule!;
}

interface CheckContext {
  readonly limits: RuleLimits;
  readonly kind: RuleKind | undefined;
  readonly sensitive: SensitiveWordMatcher;
}

const OPERATORS = ['and', 'or', 'in', 'in_list', 'list_intersect'];

const KIND_NAMES: { readonly [K in RuleKind]: string } = {
  backtrack: 'backtrack',
  realtime: 'realtime',
  'realtime-sync': 'synchronous realtime',
};

/**
 * A JSON path, spelled out only when an issue needs it: a valid rule of 10 000 leaves would otherwise build tens of
 * thousands of path strings that nobody reads.
 */
type Path = string | { readonly parent: Path; readonly key: number | string };

function at(parent: Path, key: number | string): Path {
  return { parent, key };
}

function pathText(path: Path): string {
  if (typeof path === 'string') return path;
  return typeof path.key === 'number'
    ? `${pathText(path.parent)}[${path.key}]`
    : `${pathText(path.parent)}.${path.key}`;
}

function checkRule(input: unknown, root: string, context: CheckContext): { rule?: Rule; errors: RuleIssue[] } {
  const errors: RuleIssue[] = [];
  let nodes = 0;
  const kindName = context.kind === undefined ? 'a' : `a ${KIND_NAMES[context.kind]}`;
  const issue = (path: Path, code: RuleIssueCode, message: string): undefined => {
    errors.push({ path: pathText(path), code, message });
    return undefined;
  };

  const node = (value: unknown, path: Path, depth: number): RuleNode | undefined => {
    if (!Array.isArray(value) || value.length === 0) {
      const got = Array.isArray(value) ? 'an empty array' : describe(value);
      return issue(path, 'invalid_node', `expected a node such as ["in", keyword, field] or ["or", …], got ${got}`);
    }
    const op: unknown = value[0];
    if (typeof op !== 'string') {
      return issue(at(path, 0), 'invalid_node', `expected an operator name, got ${describe(op)}`);
    }
    switch (op) {
      case 'and':
      case 'or':
        return logic(op, value, path, depth + 1);
      case 'in':
        return keywordLeaf(value, path);
      case 'in_list':
      case 'list_intersect':
        return listLeaf(op, value, path);
      default:
        return issue(
          at(path, 0),
          'unknown_operator',
          `unknown operator ${quote(op)}${didYouMean(op, OPERATORS)}; expected one of ${OPERATORS.map(quote).join(', ')}`,
        );
    }
  };

  const logic = (op: 'and' | 'or', value: unknown[], path: Path, depth: number): RuleNode | undefined => {
    if (depth > context.limits.maxDepth) {
      return issue(
        path,
        'too_deep',
        `logic nodes are nested ${depth} levels deep; ${kindName} rule allows at most ${context.limits.maxDepth}`,
      );
    }
    if (value.length < 2) return issue(path, 'empty_logic', `"${op}" needs at least one condition`);
    const copy: unknown[] = [op];
    for (let i = 1; i < value.length; i++) {
      const child = node(value[i], at(path, i), depth);
      if (child !== undefined) copy.push(child);
    }
    return copy.length === value.length ? (copy as unknown as RuleNode) : undefined;
  };

  const arity = (op: string, value: unknown[], path: Path, shape: string): boolean => {
    if (value.length === 3) return true;
    issue(path, 'invalid_arity', `"${op}" takes 2 arguments, ${shape}, got ${value.length - 1}`);
    return false;
  };

  const keywordLeaf = (value: unknown[], path: Path): RuleNode | undefined => {
    const shapeOk = arity('in', value, path, '["in", keyword, field]');
    const keyword = keywordArg(value[1], path);
    const ref = fieldArg(value[2], path, 2);
    nodes += 1;
    return shapeOk && keyword !== undefined && ref !== undefined ? ['in', keyword, ref] : undefined;
  };

  const listLeaf = (op: 'in_list' | 'list_intersect', value: unknown[], path: Path): RuleNode | undefined => {
    const shapeOk = arity(op, value, path, `["${op}", field, [values]]`);
    const ref = fieldArg(value[1], path, 1);
    const values = valuesArg(value[2], at(path, 2));
    return shapeOk && ref !== undefined && values !== undefined ? [op, ref, values] : undefined;
  };

  // The keyword is the leaf's argument 1.
  const keywordArg = (value: unknown, leaf: Path): string | undefined => {
    if (typeof value !== 'string')
      return issue(at(leaf, 1), 'invalid_keyword', `keyword must be a string, got ${describe(value)}`);
    if (normalizeQuickly(value).trim().length === 0) {
      return issue(at(leaf, 1), 'invalid_keyword', 'keyword must not be empty or blank');
    }
    const hits = context.sensitive(value);
    if (hits.length > 0) {
      const words = hits.map(quote).join(', ');
      return issue(
        at(leaf, 1),
        'sensitive_word',
        `keyword ${quote(value)} contains sensitive word${plural(hits)} ${words}`,
      );
    }
    return value;
  };

  // The field reference is the leaf's argument `index`.
  const fieldArg = (value: unknown, leaf: Path, index: number): FieldRef | undefined => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return issue(
        at(leaf, index),
        'invalid_field',
        `field must be {"f": name} or {"fl": [names]}, got ${describe(value)}`,
      );
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length !== 1 || (keys[0] !== 'f' && keys[0] !== 'fl')) return fieldKeysIssue(keys, at(leaf, index));
    if (keys[0] === 'f') {
      const name = fieldName(record.f, leaf, index, 'f');
      return name === undefined ? undefined : { f: name };
    }
    const list = record.fl;
    if (!Array.isArray(list)) {
      return issue(
        at(at(leaf, index), 'fl'),
        'invalid_field',
        `"fl" must be an array of field names, got ${describe(list)}`,
      );
    }
    if (list.length === 0)
      return issue(at(at(leaf, index), 'fl'), 'invalid_field', '"fl" must name at least one field');
    const names: unknown[] = list.slice(); // checked after copying, so that what is checked is what is kept
    let ok = true;
    for (let i = 0; i < names.length; i++) {
      if (fieldName(names[i], leaf, index, i) === undefined) ok = false;
    }
    return ok ? { fl: names as [RuleField, ...RuleField[]] } : undefined;
  };

  const fieldKeysIssue = (keys: readonly string[], path: Path): undefined => {
    const extra = keys.filter((key) => key !== 'f' && key !== 'fl');
    if (extra.length > 0) {
      return issue(
        path,
        'invalid_field',
        `unexpected key${plural(extra)} ${extra.map(quote).join(', ')}; use "f" or "fl"`,
      );
    }
    return issue(
      path,
      'invalid_field',
      keys.length === 0 ? 'field is empty; use {"f": name} or {"fl": [names]}' : 'use either "f" or "fl", not both',
    );
  };

  // A field name found in the leaf's argument `index`, at `.f` (key 'f') or at `.fl[key]`.
  const fieldName = (value: unknown, leaf: Path, index: number, key: 'f' | number): RuleField | undefined => {
    if (typeof value === 'string' && isRuleField(value) && context.limits.fields.includes(value)) return value;
    const path = key === 'f' ? at(at(leaf, index), 'f') : at(at(at(leaf, index), 'fl'), key);
    if (typeof value !== 'string')
      return issue(path, 'invalid_field', `field name must be a string, got ${describe(value)}`);
    if (!isRuleField(value))
      return issue(path, 'unknown_field', `unknown field ${quote(value)}${didYouMean(value, RULE_FIELDS)}`);
    const allowed = RULE_KINDS.filter((kind) => RULE_LIMITS[kind].fields.includes(value)).map(
      (kind) => KIND_NAMES[kind],
    );
    return issue(
      path,
      'field_not_allowed',
      `field ${quote(value)} is not allowed in ${kindName} rule (only in ${allowed.join(' and ')} rules)`,
    );
  };

  const valuesArg = (value: unknown, path: Path): [string, ...string[]] | undefined => {
    if (!Array.isArray(value))
      return issue(path, 'invalid_values', `values must be an array of strings, got ${describe(value)}`);
    if (value.length === 0) return issue(path, 'invalid_values', 'values must list at least one value');
    nodes += value.length;
    if (value.length > context.limits.maxListLength) {
      // The list is refused as a whole: checking its items too would report as many issues as it has values.
      return issue(
        path,
        'list_too_long',
        `the list has ${value.length} values; ${kindName} rule allows at most ${context.limits.maxListLength}`,
      );
    }
    let ok = true;
    value.forEach((item: unknown, i) => {
      if (typeof item !== 'string') {
        ok = false;
        issue(at(path, i), 'invalid_values', `value must be a string, got ${describe(item)}`);
      } else if (normalizeQuickly(item).trim().length === 0) {
        ok = false;
        issue(at(path, i), 'invalid_values', 'value must not be empty or blank');
      }
    });
    return ok ? ([...value] as [string, ...string[]]) : undefined;
  };

  const rule = node(input, root, 0);
  if (nodes > context.limits.maxNodes) {
    issue(
      root,
      'too_many_nodes',
      `the rule has ${nodes} leaf nodes (one per keyword and per list value); ${kindName} rule allows at most ${context.limits.maxNodes}`,
    );
  }
  return errors.length > 0 ? { errors } : { rule, errors };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string ${quote(value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A value quoted for a message, truncated so that a huge input cannot flood the error. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function plural(list: readonly unknown[]): string {
  return list.length === 1 ? '' : 's';
}
