import { resolve } from 'node:path';
import type { ConsumeResult } from '@insight/client';
import { CALL_OPTIONS, openInsightClient, parsePositiveInt } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS, resolveInsightSettings } from '../../config.js';
import { openConsumeOutput } from '../../consume-output.js';
import { EXIT_CODES } from '../../errors.js';
import { formatCount, formatDuration } from '../../format.js';
import { parseTaskId } from './shared.js';

/** `insight backtrack consume`: drains a task into a JSONL file, resumably. */
export const consumeCommand = defineCommand({
  name: 'backtrack consume',
  summary: "Wait for a task and write every collector's posts to a JSONL file",
  usage: '<task-id> [options]',
  description: [
    'Reads every collector from its checkpointed offset and appends one line per post to the output:',
    '{"collector", "offset", "msg_id", "item_doc"}. Interrupted (Ctrl+C) or failed, it saves its offsets; run it',
    'again to resume where it stopped. The checkpoints live next to the output (<output>.checkpoints.json) and record',
    'what it holds: the task, the service and account, the offset of each collector and the length of the output,',
    'saved only once the output is on disk. A resumed run cuts what was written after the last checkpoint (and a',
    'line torn by a crash), so that each post is in the output once. It refuses (exit 2) a checkpoint of the task',
    'for another account or service, and an output that holds data no checkpoint accounts for: delete both files',
    'to start over.',
  ].join('\n'),
  options: {
    output: {
      type: 'string',
      short: 'o',
      placeholder: '<file>',
      description: 'Output file (default backtrack-<task-id>.jsonl)',
    },
    checkpoints: {
      type: 'string',
      placeholder: '<file>',
      description: 'Checkpoint file (default <output>.checkpoints.json)',
    },
    concurrency: { type: 'string', placeholder: '<n>', description: 'Collectors read at once (default 20)' },
    ...INSIGHT_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 1,
  examples: ['insight backtrack consume 12', 'insight backtrack consume 12 --output coffee.jsonl --json'],
  async run(ctx, values, [id]) {
    const taskId = parseTaskId(id, 'backtrack consume');
    const output = resolve(ctx.io.cwd, values.output ?? `backtrack-${taskId}.jsonl`);
    const checkpoints =
      values.checkpoints === undefined ? `${output}.checkpoints.json` : resolve(ctx.io.cwd, values.checkpoints);
    const concurrency = parsePositiveInt(values.concurrency, '--concurrency');
    const settings = resolveInsightSettings(values, ctx.config, ctx.io.env);
    const client = openInsightClient(ctx, values, settings);
    try {
      // An unknown task (or wrong credentials) must fail before the output file is created.
      await client.backtrack.info(taskId, { signal: ctx.signal });
      const bar = ctx.out.progress(`consuming task ${taskId}`);
      const {
        sink,
        checkpoints: store,
        dropped,
      } = await openConsumeOutput({
        output,
        checkpoints,
        target: { taskId, baseUrl: settings.baseUrl, bizName: settings.bizName },
        onWrite: () => bar.update(sink.written),
      });
      if (dropped > 0) {
        ctx.out.warn(
          `${output}: cut ${formatCount(dropped)} bytes written after the last checkpoint; they are fetched again`,
        );
      }
      const started = performance.now();
      let result: ConsumeResult;
      try {
        result = await client.consumeBacktrack(taskId, { sink, checkpoints: store, concurrency, signal: ctx.signal });
      } catch (error) {
        // The consumer's failure is what to report, not a second one from the file it stopped writing.
        await sink.close().catch(() => undefined);
        throw error;
      } finally {
        bar.stop();
      }
      await sink.close();
      const ms = performance.now() - started;
      ctx.out.result({ ...result, output, ms: Math.round(ms) }, (r) => [
        `${ctx.out.style.green('✓')} ${formatCount(r.delivered)} posts from task ${taskId} to ${output} ${ctx.out.style.dim(`(${formatDuration(ms)})`)}`,
      ]);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});
