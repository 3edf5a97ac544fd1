import { type BacktrackTaskInfo, TaskIdParam } from '@insight/protocol';
import { usageError } from '../../errors.js';
import { formatCount } from '../../format.js';
import type { Styles } from '../../output.js';

/** The task id argument, read as the service reads a `task_id` query parameter. */
export function parseTaskId(value: string | undefined, command: string): number {
  if (value === undefined) throw usageError(`missing <task-id> (see: insight ${command} --help)`);
  const parsed = TaskIdParam.safeParse(value);
  if (!parsed.success) throw usageError(`<task-id>: '${value}' is not a task id (a whole number from 0)`);
  return parsed.data;
}

/** Posts a task has retrieved so far, bounded above: offsets start at 0 and some are skipped. */
export function retrievedBound(info: BacktrackTaskInfo): number {
  return Object.values(info.collector_cur_max_offset).reduce((sum, max) => sum + max + 1, 0);
}

/** A task's status and offsets for people. */
export function describeTask(taskId: number, info: BacktrackTaskInfo, style: Styles): string[] {
  const status =
    info.task_status === 'finished'
      ? style.green(info.task_status)
      : info.task_status === 'failed'
        ? style.red(info.task_status)
        : style.yellow(info.task_status);
  const collectors = Object.entries(info.collector_cur_max_offset).sort(([a], [b]) => Number(a) - Number(b));
  return [
    `task ${taskId}: ${status}, up to ${formatCount(retrievedBound(info))} posts in ${collectors.length} collectors`,
    `  limit ${formatCount(info.limit)}, de-duplicate ${info.de_duplicate ? 'on' : 'off'}`,
    `  max offset per collector: ${collectors.map(([id, max]) => `${id}:${max}`).join(' ')}`,
  ];
}
