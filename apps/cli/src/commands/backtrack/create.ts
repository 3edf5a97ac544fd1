import { openInsightClient, parsePositiveInt } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { EXIT_CODES } from '../../errors.js';
import { resolveWindow } from '../../insight-window.js';
import { loadRule } from '../../rule-input.js';
import { BACKTRACK_OPTIONS } from './preview.js';

/** Posts a backtrack retrieves when `--limit` is not given. */
const DEFAULT_LIMIT = 5000;

/** `insight backtrack create`: starts a backtrack task. */
export const createCommand = defineCommand({
  name: 'backtrack create',
  summary: 'Create a backtrack task over a window',
  usage: '[rule] [options]',
  description: 'Prints the new task id (with --json: {"task_id": n}).',
  options: {
    ...BACKTRACK_OPTIONS,
    limit: {
      type: 'string',
      placeholder: '<n>',
      description: `Most posts to retrieve, newest first (default ${DEFAULT_LIMIT})`,
    },
  },
  maxPositionals: 1,
  examples: [
    `insight backtrack create '["in", "coffee", {"f": "title"}]' --days 30 --limit 2000`,
    'TASK=$(insight backtrack create -f rule.json --json | jq .task_id)',
  ],
  async run(ctx, values, [positional]) {
    const { rule } = await loadRule(positional, values.file, 'backtrack', ctx.io);
    const window = resolveWindow(values);
    const limit = parsePositiveInt(values.limit, '--limit') ?? DEFAULT_LIMIT;
    const client = openInsightClient(ctx, values);
    try {
      const data = await client.backtrack.create(
        { rule: [...rule], ...window, de_duplicate: !values['no-dedup'], limit },
        { signal: ctx.signal },
      );
      ctx.out.result(data, (d) => `${ctx.out.style.green('✓')} created backtrack task ${d.task_id}`);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});
