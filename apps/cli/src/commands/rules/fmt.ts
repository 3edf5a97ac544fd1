import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatRule, type RuleFormat } from '@insight/rules';
import { defineCommand } from '../../command.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { parseRuleKind, RULE_INPUT_OPTIONS, RULE_KIND_OPTION, readRule, requireValidRule } from '../../rule-input.js';

const FORMATS: readonly RuleFormat[] = ['pretty', 'compact', 'line'];

/** `insight rules fmt`: rewrites a rule in a canonical form. */
export const fmtCommand = defineCommand({
  name: 'rules fmt',
  summary: 'Format a rule as pretty JSON, compact JSON or the one-line syntax',
  usage: '[rule] [--to pretty|compact|line] [options]',
  description:
    'Reads JSON or the one-line syntax; every format reads back to the same rule. Exits 3 on an invalid rule.',
  options: {
    ...RULE_INPUT_OPTIONS,
    ...RULE_KIND_OPTION,
    to: {
      type: 'string',
      placeholder: '<format>',
      description: `Output format: ${FORMATS.join(', ')} (default pretty)`,
    },
    write: { type: 'boolean', short: 'w', description: 'Rewrite the --file in place' },
  },
  maxPositionals: 1,
  examples: [
    `insight rules fmt 'title:"coffee" AND poi_city_name IN ["上海市", "杭州市"]'`,
    `insight rules fmt '["or",["in","tea",{"f":"title"}],["in","coffee",{"f":"asr"}]]' --to line`,
    'insight rules fmt --file rule.json --write',
  ],
  async run({ out, io }, values, [positional]) {
    const format = (values.to ?? 'pretty') as RuleFormat;
    if (!FORMATS.includes(format)) throw usageError(`--to: '${values.to}' is not one of ${FORMATS.join(', ')}`);
    if (values.write && (values.file === undefined || values.file === '-'))
      throw usageError('--write needs --file <path>');
    const { rule } = requireValidRule(await readRule(positional, values.file, io), parseRuleKind(values.kind));
    const text = formatRule(rule, format);
    if (values.write) {
      await writeFile(resolve(io.cwd, values.file!), `${text}\n`);
      out.result({ file: values.file, format, rule }, () => `${out.style.green('✓')} formatted ${values.file}`);
    } else {
      out.result({ format, text, rule }, () => text);
    }
    return EXIT_CODES.OK;
  },
});
