/** Waiting for a backtrack task to finish: polling with a growing interval that resets whenever the task moves. */
import type { BacktrackTaskInfo } from '@insight/protocol';
import { InsightError, UserAbortError } from '../core/errors.js';
import { abortableSleep } from './pacer.js';

/** Options of `backtrack.waitUntilFinished`. */
export interface WaitUntilFinishedOptions {
  /** Called with the task info whenever its status or offsets change (and after the first poll). */
  onProgress?: ((info: BacktrackTaskInfo) => void) | undefined;
  /** Stops waiting. */
  signal?: AbortSignal | undefined;
  /**
   * First delay between two polls, in ms; it grows by half after every poll without progress.
   * @default 1000
   */
  intervalMs?: number | undefined;
  /**
   * Longest delay between two polls, in ms.
   * @default 10000
   */
  maxIntervalMs?: number | undefined;
}

/** The backtrack task ended in `failed`: its data cannot be consumed. */
export class BacktrackTaskFailedError extends InsightError {
  override name = 'BacktrackTaskFailedError';
  /** The task that failed. */
  readonly taskId: number;
  /** Its last info. */
  readonly info: BacktrackTaskInfo;

  constructor(taskId: number, info: BacktrackTaskInfo) {
    super(`backtrack task ${taskId} failed`);
    this.taskId = taskId;
    this.info = info;
  }
}

/** Polls `getInfo` until the task is `finished` and returns its final info. */
export async function waitUntilFinished(
  taskId: number,
  getInfo: (signal: AbortSignal | undefined) => Promise<BacktrackTaskInfo>,
  options: WaitUntilFinishedOptions = {},
): Promise<BacktrackTaskInfo> {
  const base = options.intervalMs ?? 1000;
  const max = Math.max(base, options.maxIntervalMs ?? 10_000);
  let interval = base;
  let last: string | undefined;
  for (;;) {
    const info = await getInfo(options.signal);
    const fingerprint = `${info.task_status}:${info.task_cur_max_offset}:${JSON.stringify(info.collector_cur_max_offset)}`;
    if (fingerprint !== last) {
      last = fingerprint;
      interval = base;
      options.onProgress?.(info);
    } else {
      interval = Math.min(max, interval * 1.5);
    }
    if (info.task_status === 'finished') return info;
    if (info.task_status === 'failed') throw new BacktrackTaskFailedError(taskId, info);
    try {
      await abortableSleep(interval, options.signal);
    } catch (cause) {
      throw new UserAbortError({ cause });
    }
  }
}
