import { RULE_KINDS, RULE_LIMITS, type RuleKind, validateRule } from '@insight/rules';
import { defineCommand } from '../../command.js';
import { EXIT_CODES } from '../../errors.js';
import { parseRuleKind, RULE_INPUT_OPTIONS, RULE_KIND_OPTION, readRule } from '../../rule-input.js';

/** `insight rules check`: validates a rule for a task kind and reports every problem with its path. */
export const checkCommand = defineCommand({
  name: 'rules check',
  summary: 'Validate a rule against the language and the limits of a task kind',
  usage: '[rule] [options]',
  description: 'Reports every problem with its path in the rule. Exits 3 when the rule is invalid.',
  options: { ...RULE_INPUT_OPTIONS, ...RULE_KIND_OPTION },
  maxPositionals: 1,
  examples: [
    `insight rules check '["in", "coffee", {"f": "title"}]'`,
    'insight rules check --file rule.json --kind realtime',
    'cat rule.json | insight rules check --json',
  ],
  async run({ out, io }, values, [positional]) {
    const kind = parseRuleKind(values.kind);
    const source = await readRule(positional, values.file, io);
    const result = validateRule(source.input, { kind });
    const { style } = out;
    if (!result.ok) {
      const errors = result.errors.map(({ path, message, code }) => ({ path, message, code }));
      out.result({ valid: false, kind, errors }, () => [
        `${style.red('✗')} invalid ${kind} rule: ${errors.length === 1 ? '1 problem' : `${errors.length} problems`}`,
        ...errors.map((e) => `  ${style.bold(e.path)}: ${e.message}`),
      ]);
      return EXIT_CODES.INVALID_INPUT;
    }
    const { stats } = result;
    const limits = RULE_LIMITS[kind];
    const alsoFits = RULE_KINDS.filter((k: RuleKind) => k !== kind && stats.fits[k]);
    out.result({ valid: true, kind, stats }, () => [
      `${style.green('✓')} valid ${kind} rule`,
      `  depth ${stats.depth} of ${limits.maxDepth}, ${stats.nodes} nodes of ${limits.maxNodes}, ${stats.conditions} conditions`,
      `  fields: ${stats.fields.join(', ')}`,
      ...(stats.keywords.length > 0 ? [`  keywords: ${stats.keywords.join(', ')}`] : []),
      ...(alsoFits.length > 0 ? [`  also fits: ${alsoFits.join(', ')}`] : []),
    ]);
    return EXIT_CODES.OK;
  },
});
