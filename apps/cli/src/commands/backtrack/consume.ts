import { resolve } from 'node:path';
import { CALL_OPTIONS, openInsightClient, parsePositiveInt } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';
import { formatCount, formatDuration } from '../../format.js';
import { createJsonlSink } from '../../jsonl-sink.js';
import { parseTaskId } from './shared.js';

/** `insight backtrack consume`: drains a task into a JSONL file, resumably. */
export const consumeCommand = defineCommand({
  name: 'backtrack consume',
  summary: "Wait for a task and write every collector's posts to a JSONL file",
  usage: '<task-id> [options]',
  description: [
    'Reads every collector from its checkpointed offset and appends one line per post to the output:',
    '{"collector", "offset", "msg_id", "item_doc"}. Interrupted (Ctrl+C) or failed, it saves its offsets; run it',
    'again to resume where it stopped. The checkpoints record what the output file holds, so they live next to it',
    '(<output>.checkpoints.json): delete both to start over.',
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
    const client = openInsightClient(ctx, values);
    try {
      // An unknown task (or wrong credentials) must fail before the output file is created.
      await client.backtrack.info(taskId, { signal: ctx.signal });
    } catch (error) {
      await client.close();
      throw error;
    }
    const bar = ctx.out.progress(`consuming task ${taskId}`);
    const sink = createJsonlSink(output, () => bar.update(sink.written));
    const started = performance.now();
    try {
      const result = await client.consumeBacktrack(taskId, {
        sink,
        // Next to the output rather than one shared file: task ids repeat across accounts and services (the emulator,
        // the real one), and another task's offsets would silently skip posts.
        checkpoints:
          values.checkpoints === undefined ? `${output}.checkpoints.json` : resolve(ctx.io.cwd, values.checkpoints),
        concurrency: parsePositiveInt(values.concurrency, '--concurrency'),
        signal: ctx.signal,
      });
      bar.stop();
      const ms = performance.now() - started;
      ctx.out.result({ ...result, output, ms: Math.round(ms) }, (r) => [
        `${ctx.out.style.green('✓')} ${formatCount(r.delivered)} posts from task ${taskId} to ${output} ${ctx.out.style.dim(`(${formatDuration(ms)})`)}`,
      ]);
      return EXIT_CODES.OK;
    } finally {
      bar.stop();
      await sink.close();
      await client.close();
    }
  },
});
