import { CALL_OPTIONS, openInsightClient } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { describeTask, parseTaskId, retrievedBound } from './shared.js';

/** `insight backtrack wait`: blocks until a task finishes. */
export const waitCommand = defineCommand({
  name: 'backtrack wait',
  summary: 'Wait until a task finishes, with a progress bar on a terminal',
  usage: '<task-id> [options]',
  description: 'Exits 4 when the task fails.',
  options: { ...INSIGHT_OPTIONS, ...CALL_OPTIONS },
  maxPositionals: 1,
  examples: ['insight backtrack wait 12 && insight backtrack consume 12'],
  async run(ctx, values, [id]) {
    const taskId = parseTaskId(id, 'backtrack wait');
    const client = openInsightClient(ctx, values);
    const bar = ctx.out.progress(`task ${taskId}`);
    const started = performance.now();
    try {
      const info = await client.backtrack.waitUntilFinished(taskId, {
        signal: ctx.signal,
        onProgress: (progress) => bar.update(retrievedBound(progress), progress.limit),
      });
      bar.stop();
      ctx.out.result({ task_id: taskId, ...info }, () => [
        `${ctx.out.style.green('✓')} finished after ${formatDuration(performance.now() - started)}`,
        ...describeTask(taskId, info, ctx.out.style),
      ]);
      return EXIT_CODES.OK;
    } finally {
      bar.stop();
      await client.close();
    }
  },
});
