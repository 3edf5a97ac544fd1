import type { RealtimeTaskRule } from '@insight/protocol';
import { CALL_OPTIONS, openInsightClient } from '../../clients.js';
import { type CommandModule, defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { table, truncate } from '../../format.js';
import { loadRule, RULE_INPUT_OPTIONS, readRule, requireValidRule } from '../../rule-input.js';
import { parseTaskId } from '../backtrack/shared.js';

const SYNC_MODE_OPTION = {
  'sync-mode': { type: 'string', placeholder: '<n>', description: "The vendor's delivery mode (0 asynchronous)" },
} as const;

/** The `--sync-mode` integer. */
function parseSyncMode(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`--sync-mode: '${value}' is not a whole number`);
  return Number(value);
}

/** The rule kind whose limits apply to a realtime task with this sync mode. */
function realtimeKind(syncMode: number | undefined) {
  return syncMode !== undefined && syncMode > 0 ? 'realtime-sync' : 'realtime';
}

function describeTasks(tasks: readonly RealtimeTaskRule[]): string[] {
  if (tasks.length === 0) return ['no realtime tasks'];
  return table([
    ['task', 'enabled', 'sync', 'rule'],
    ...tasks.map((t) => [
      String(t.task_id),
      t.enable_status === 1 ? 'yes' : 'no',
      String(t.sync_mode ?? 0),
      truncate(JSON.stringify(t.rule), 80),
    ]),
  ]);
}

const listCommand = defineCommand({
  name: 'subs list',
  summary: "List the business's realtime subscription tasks",
  usage: '[options]',
  options: { ...INSIGHT_OPTIONS, ...CALL_OPTIONS },
  maxPositionals: 0,
  examples: ['insight subs list', 'insight subs list --json'],
  async run(ctx, values) {
    const client = openInsightClient(ctx, values);
    try {
      const tasks = await client.realtime.list({ signal: ctx.signal });
      ctx.out.result({ tasks }, () => describeTasks(tasks));
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

const createCommand = defineCommand({
  name: 'subs create',
  summary: 'Create a realtime subscription task',
  usage: '[rule] [options]',
  options: { ...RULE_INPUT_OPTIONS, ...SYNC_MODE_OPTION, ...INSIGHT_OPTIONS, ...CALL_OPTIONS },
  maxPositionals: 1,
  examples: [`insight subs create '["in", "EV", {"fl": ["title", "asr"]}]'`, 'insight subs create -f rule.json --json'],
  async run(ctx, values, [positional]) {
    const syncMode = parseSyncMode(values['sync-mode']);
    const { rule } = await loadRule(positional, values.file, realtimeKind(syncMode), ctx.io);
    const client = openInsightClient(ctx, values);
    try {
      const data = await client.realtime.create({ rule: [...rule], sync_mode: syncMode }, { signal: ctx.signal });
      ctx.out.result(data, (d) => `${ctx.out.style.green('✓')} created realtime task ${d.task_id}`);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

const updateCommand = defineCommand({
  name: 'subs update',
  summary: "Change a realtime task's rule, switch it on or off, or change its sync mode",
  usage: '<task-id> [--rule <rule> | --file <path>] [--enable | --disable] [options]',
  options: {
    rule: { type: 'string', placeholder: '<json>', description: 'The new rule' },
    ...RULE_INPUT_OPTIONS,
    enable: { type: 'boolean', description: 'Switch the task on' },
    disable: { type: 'boolean', description: 'Switch the task off' },
    ...SYNC_MODE_OPTION,
    ...INSIGHT_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 1,
  examples: ['insight subs update 3 --disable', `insight subs update 3 --rule '["in", "EV", {"f": "title"}]' --enable`],
  async run(ctx, values, [id]) {
    const taskId = parseTaskId(id, 'subs update');
    if (values.enable && values.disable) throw usageError('give --enable or --disable, not both');
    const syncMode = parseSyncMode(values['sync-mode']);
    const hasRule = values.rule !== undefined || values.file !== undefined;
    // Checked offline first, with the limits of the sync mode given (realtime when none is).
    const source = hasRule ? await readRule(values.rule, values.file, ctx.io) : undefined;
    const rule = source && requireValidRule(source, realtimeKind(syncMode)).rule;
    const enable = values.enable ? 1 : values.disable ? 0 : undefined;
    if (rule === undefined && enable === undefined && syncMode === undefined) {
      throw usageError('nothing to change: give a rule, --enable, --disable or --sync-mode');
    }
    const client = openInsightClient(ctx, values);
    try {
      // The rule the task ends with must fit the sync mode it ends with: a new rule on a task that stays synchronous,
      // or a switch to synchronous that keeps the task's rule, is checked against realtime-sync's limits too.
      const checkSync = syncMode === undefined ? source !== undefined : syncMode > 0 && source === undefined;
      if (checkSync) {
        const task = await client.realtime.get(taskId, { signal: ctx.signal });
        const kind = realtimeKind(syncMode ?? task.sync_mode);
        if (kind === 'realtime-sync') {
          requireValidRule(source ?? { input: task.rule, origin: `the rule of task ${taskId}`, text: '' }, kind);
        }
      }
      await client.realtime.update(
        { task_id: taskId, rule: rule && [...rule], enable_status: enable, sync_mode: syncMode },
        { signal: ctx.signal },
      );
      const task = await client.realtime.get(taskId, { signal: ctx.signal });
      ctx.out.result(task, (t) => [
        `${ctx.out.style.green('✓')} updated realtime task ${taskId}`,
        ...describeTasks([t]),
      ]);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

/** `insight subs …`: realtime subscription tasks. */
export const commands: CommandModule['commands'] = [listCommand, createCommand, updateCommand];
