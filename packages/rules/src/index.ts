/**
 * `@insight/rules`: the rule language of Content Insight: validation against each task kind's limits, a builder, two
 * formats, and a compiled matcher shared by the client-side checks and the emulator.
 *
 * @packageDocumentation
 */
export { validateRule, parseRule, RuleValidationError, formatIssue } from './validate.js';
export type { RuleIssue, RuleIssueCode, ValidateRuleOptions, RuleValidation } from './validate.js';
export { rule } from './builder.js';
export type { FieldSelector } from './builder.js';
export { formatRule } from './format.js';
export type { RuleFormat } from './format.js';
export { parseRuleLine, RuleSyntaxError } from './line-syntax.js';
export { compileRule } from './compile.js';
export type { CompiledRule, RuleExplanation, ExplainedCondition, RuleHit } from './compile.js';
export { evaluateRule } from './evaluate.js';
export { analyzeRule } from './analyze.js';
export type { RuleStats } from './analyze.js';
export { normalizeText } from './normalize.js';
export { createSensitiveWordMatcher } from './sensitive.js';
export type { SensitiveWordMatcher } from './sensitive.js';
export { fieldValue, isRuleField, RULE_FIELDS, RULE_FIELD_INFO } from './fields.js';
export type { RuleField, RuleFieldInfo, RuleFieldProperty, RuleDocument } from './fields.js';
export { RULE_LIMITS, RULE_KINDS } from './limits.js';
export type { RuleLimits } from './limits.js';
export { isLogicNode, fieldsOf } from './types.js';
export type {
  Rule,
  RuleNode,
  RuleKind,
  LeafNode,
  LogicNode,
  AndNode,
  OrNode,
  InNode,
  InListNode,
  ListIntersectNode,
  FieldRef,
} from './types.js';
