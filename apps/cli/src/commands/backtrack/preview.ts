import { CALL_OPTIONS, openInsightClient } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';
import { formatCount } from '../../format.js';
import { resolveWindow, WINDOW_OPTIONS } from '../../insight-window.js';
import { loadRule, RULE_INPUT_OPTIONS } from '../../rule-input.js';

/** Flags shared by `backtrack preview` and `backtrack create`. */
export const BACKTRACK_OPTIONS = {
  ...RULE_INPUT_OPTIONS,
  ...WINDOW_OPTIONS,
  'no-dedup': { type: 'boolean', description: 'Include posts this business already consumed' },
  ...INSIGHT_OPTIONS,
  ...CALL_OPTIONS,
} as const;

/** `insight backtrack preview`: a rough count of what a backtrack would retrieve. */
export const previewCommand = defineCommand({
  name: 'backtrack preview',
  summary: 'Estimate how many posts a rule matches over a window',
  usage: '[rule] [options]',
  options: BACKTRACK_OPTIONS,
  maxPositionals: 1,
  examples: [
    `insight backtrack preview '["in", "coffee", {"fl": ["title", "asr"]}]' --days 30`,
    "insight backtrack preview -f rule.json --start '2026-01-01 00:00:00' --end '2026-01-31 00:00:00' --json",
  ],
  async run(ctx, values, [positional]) {
    const { rule } = await loadRule(positional, values.file, 'backtrack', ctx.io);
    const window = resolveWindow(values);
    const client = openInsightClient(ctx, values);
    try {
      const data = await client.backtrack.preview(
        { rule: [...rule], ...window, de_duplicate: !values['no-dedup'] },
        { signal: ctx.signal },
      );
      ctx.out.result(data, (d) => `about ${formatCount(d.count)} posts match`);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});
