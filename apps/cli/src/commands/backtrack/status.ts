import { CALL_OPTIONS, openInsightClient } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';
import { describeTask, parseTaskId } from './shared.js';

/** `insight backtrack status`: a task's status and offsets. */
export const statusCommand = defineCommand({
  name: 'backtrack status',
  summary: "Show a task's status and offsets per collector",
  usage: '<task-id> [options]',
  options: { ...INSIGHT_OPTIONS, ...CALL_OPTIONS },
  maxPositionals: 1,
  examples: ['insight backtrack status 12', 'insight backtrack status 12 --json'],
  async run(ctx, values, [id]) {
    const taskId = parseTaskId(id, 'backtrack status');
    const client = openInsightClient(ctx, values);
    try {
      const info = await client.backtrack.info(taskId, { signal: ctx.signal });
      ctx.out.result({ task_id: taskId, ...info }, () => describeTask(taskId, info, ctx.out.style));
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});
