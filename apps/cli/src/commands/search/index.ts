import { INSIGHT_LIMITS } from '@insight/protocol';
import type { ItemDoc } from '@insight/protocol';
import { CALL_OPTIONS, openInsightClient, parsePositiveInt } from '../../clients.js';
import { type CommandModule, defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';
import { table, truncate } from '../../format.js';
import { resolveWindow, WINDOW_OPTIONS } from '../../insight-window.js';
import { loadRule, RULE_INPUT_OPTIONS } from '../../rule-input.js';

/** Posts printed when `--limit` is not given. */
const DEFAULT_SEARCH_LIMIT = 20;

/** `insight search`: posts matching a rule over a window, page after page. */
const searchCommand = defineCommand({
  name: 'search',
  summary: 'Search posts matching a rule over a window',
  usage: '[rule] [options]',
  description: 'Pages through the search snapshot until --limit posts are printed (with --json: {"items": [...]}).',
  options: {
    ...RULE_INPUT_OPTIONS,
    ...WINDOW_OPTIONS,
    limit: { type: 'string', placeholder: '<n>', description: `Posts to return (default ${DEFAULT_SEARCH_LIMIT})` },
    ...INSIGHT_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 1,
  examples: [
    `insight search '["in", "hotpot", {"f": "title"}]' --days 3`,
    'insight search -f rule.json --limit 500 --json > posts.json',
  ],
  async run(ctx, values, [positional]) {
    const { rule } = await loadRule(positional, values.file, 'backtrack', ctx.io);
    const window = resolveWindow(values);
    const limit = parsePositiveInt(values.limit, '--limit') ?? DEFAULT_SEARCH_LIMIT;
    const client = openInsightClient(ctx, values);
    try {
      const items: ItemDoc[] = [];
      for await (const doc of client.search(
        { rule: [...rule], ...window, page_size: Math.min(limit, INSIGHT_LIMITS.searchPageSizeMax) },
        { signal: ctx.signal },
      )) {
        items.push(doc);
        if (items.length >= limit) break;
      }
      const { style } = ctx.out;
      ctx.out.result({ items }, () => [
        `${items.length} posts`,
        ...table([
          [style.dim('post_id'), style.dim('publish_time'), style.dim('title')],
          ...items.map((doc) => [
            String(doc.post_id),
            String(doc.publish_time ?? ''),
            truncate(String(doc.title ?? ''), 60),
          ]),
        ]).map((line) => `  ${line}`),
      ]);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

/** `insight search` is a single command. */
export const commands: CommandModule['commands'] = [searchCommand];
