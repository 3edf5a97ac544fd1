import { compileRule } from '@insight/rules';
import { defineCommand } from '../../command.js';
import { EXIT_CODES, invalidInput } from '../../errors.js';
import { parseJson } from '../../input.js';
import { loadRule, parseRuleKind, RULE_INPUT_OPTIONS, RULE_KIND_OPTION } from '../../rule-input.js';
import { describeExplanation, describeRule } from './describe.js';
import { postOf } from '../../posts.js';

/** `insight rules explain`: the rule in words, or why it does or does not match one post. */
export const explainCommand = defineCommand({
  name: 'rules explain',
  summary: 'Show a rule in words, or why it matches (or not) a given post',
  usage: '[rule] [--post <json>] [options]',
  description:
    'Without --post, prints the rule as a tree of conditions. With --post, marks each condition ✓ or ✗\nand shows where in the post it was found.',
  options: {
    ...RULE_INPUT_OPTIONS,
    ...RULE_KIND_OPTION,
    post: {
      type: 'string',
      placeholder: '<json>',
      description: 'A post (item_doc, or an envelope holding one) to explain',
    },
  },
  maxPositionals: 1,
  examples: [
    `insight rules explain '["or", ["in", "coffee", {"f": "title"}], ["in", "tea", {"f": "asr"}]]'`,
    `insight rules explain -f rule.json --post '{"title": "Morning coffee", "tags": ["food"]}'`,
  ],
  async run({ out, io }, values, [positional]) {
    const { rule, stats } = await loadRule(positional, values.file, parseRuleKind(values.kind), io);
    if (values.post === undefined) {
      out.result({ rule, stats }, () => describeRule(rule));
      return EXIT_CODES.OK;
    }
    const post = postOf(parseJson(values.post, '--post'));
    if (post === undefined) throw invalidInput('--post must be a JSON object (an item_doc or an envelope holding one)');
    const explanation = compileRule(rule).explain(post);
    const { style } = out;
    out.result(explanation, (e) => [
      e.matched
        ? `${style.green('✓')} the rule matches this post`
        : `${style.red('✗')} the rule does not match this post`,
      ...describeExplanation(e, style),
    ]);
    return EXIT_CODES.OK;
  },
});
