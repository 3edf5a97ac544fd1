import {
  parseRuleLine,
  RULE_KINDS,
  type Rule,
  type RuleKind,
  type RuleStats,
  RuleSyntaxError,
  validateRule,
} from '@insight/rules';
import type { OptionSpecs } from './command.js';
import { invalidInput, usageError } from './errors.js';
import { parseJson, readInput } from './input.js';
import type { Io } from './output.js';

/** Options of every command that takes a rule. */
export const RULE_INPUT_OPTIONS = {
  file: {
    type: 'string',
    short: 'f',
    placeholder: '<path>',
    description: "Read the rule (JSON or one-line syntax) from a file ('-' = stdin)",
  },
} as const satisfies OptionSpecs;

/** The `--kind` option of the offline rule commands. */
export const RULE_KIND_OPTION = {
  kind: {
    type: 'string',
    short: 'k',
    placeholder: '<kind>',
    description: `Task kind whose limits apply: ${RULE_KINDS.join(', ')} (default backtrack)`,
  },
} as const satisfies OptionSpecs;

/** Reads `--kind`, backtrack by default. */
export function parseRuleKind(value: string | undefined): RuleKind {
  if (value === undefined) return 'backtrack';
  if (!(RULE_KINDS as readonly string[]).includes(value)) {
    throw usageError(`--kind: '${value}' is not one of ${RULE_KINDS.join(', ')}`);
  }
  return value as RuleKind;
}

/** A rule as read, before validation: the parsed JSON and where it came from. */
export interface RuleSource {
  /** The parsed rule (not yet checked against the language and limits). */
  readonly input: unknown;
  /** `argument`, `stdin` or the file's path, for messages. */
  readonly origin: string;
  /** The text as read. */
  readonly text: string;
}

/**
 * Reads a rule from the positional argument, `--file`, or stdin: JSON when it starts with `[`, else the one-line
 * syntax (`title:"coffee" AND poi_city_name IN ["上海市"]`).
 */
export async function readRule(positional: string | undefined, file: string | undefined, io: Io): Promise<RuleSource> {
  const text = await readInput(positional, file, io, 'rule');
  const origin = positional !== undefined ? 'the rule argument' : file === undefined || file === '-' ? 'stdin' : file;
  if (text.trimStart().startsWith('[')) return { input: parseJson(text, origin), origin, text };
  try {
    return { input: parseRuleLine(text.trim()), origin, text };
  } catch (error) {
    if (error instanceof RuleSyntaxError) throw invalidInput(`${origin}: ${error.message}`);
    throw error;
  }
}

/** A rule that passed validation for a task kind. */
export interface ValidRule {
  readonly rule: Rule;
  readonly stats: RuleStats;
}

/** Validates a read rule for `kind`; every problem, with its path, goes into one invalid-input error. */
export function requireValidRule(source: RuleSource, kind: RuleKind): ValidRule {
  const result = validateRule(source.input, { kind });
  if (!result.ok) {
    const issues = result.errors.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw invalidInput(`invalid ${kind} rule (${source.origin}): ${issues}`);
  }
  return { rule: result.rule, stats: result.stats };
}

/** Reads and validates a rule in one go. */
export async function loadRule(
  positional: string | undefined,
  file: string | undefined,
  kind: RuleKind,
  io: Io,
): Promise<ValidRule> {
  return requireValidRule(await readRule(positional, file, io), kind);
}
