import { RULE_KINDS, type Rule, type RuleKind, type RuleStats, validateRule } from '@insight/rules';
import type { OptionSpecs } from './command.js';
import { invalidInput, usageError } from './errors.js';
import { parseJson, readInput } from './input.js';
import type { Io } from './output.js';

/** Options of every command that takes a rule. */
export const RULE_INPUT_OPTIONS = {
  file: { type: 'string', short: 'f', placeholder: '<path>', description: "Read the rule from a file ('-' = stdin)" },
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
  /** The parsed JSON (not yet known to be a rule). */
  readonly input: unknown;
  /** `argument`, `stdin` or the file's path, for messages. */
  readonly origin: string;
  /** The text as read. */
  readonly text: string;
}

/** Reads a rule's JSON text from the positional argument, `--file`, or stdin. */
export async function readRule(positional: string | undefined, file: string | undefined, io: Io): Promise<RuleSource> {
  const text = await readInput(positional, file, io, 'rule');
  const origin = positional !== undefined ? 'the rule argument' : file === undefined || file === '-' ? 'stdin' : file;
  return { input: parseJson(text, origin), origin, text };
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
