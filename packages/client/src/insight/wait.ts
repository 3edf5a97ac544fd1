/** Waiting for a backtrack task to finish: polling with a growing interval that resets whenever the task moves. */
import type { BacktrackTaskInfo } from '@insight/protocol';
import { InsightError, UserAbortError } from '../core/errors.js';
import { isTransientFailure, type ReconnectOptions } from './collector-stream.js';
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
    // The reason, when the answer carries one (the emulator does; the vendor documents none).
    super(`backtrack task ${taskId} failed${info.fail_reason ? `: ${info.fail_reason}` : ''}`);
    this.taskId = taskId;
    this.info = info;
  }
}

/** How {@link waitUntilFinished} runs inside the client. */
export interface WaitOptions extends WaitUntilFinishedOptions {
  /** The streams' reconnection policy: its `maxAttempts` bounds the polls that fail in a row. */
  reconnect?: ReconnectOptions | undefined;
}

/**
 * Polls `getInfo` until the task is `finished` and returns its final info. A poll that fails for a reason that may pass
 * (throttling, a server error, a timeout, once the call's own retries are spent) is tried again after the next
 * interval, like a dropped stream: the wait gives up with that failure after `reconnect.maxAttempts` (8) in a row.
 */
export async function waitUntilFinished(
  taskId: number,
  getInfo: (signal: AbortSignal | undefined) => Promise<BacktrackTaskInfo>,
  options: WaitOptions = {},
): Promise<BacktrackTaskInfo> {
  const base = options.intervalMs ?? 1000;
  const max = Math.max(base, options.maxIntervalMs ?? 10_000);
  const maxFailures = options.reconnect?.maxAttempts ?? 8;
  let interval = base;
  let last: string | undefined;
  let failures = 0;
  for (;;) {
    let info: BacktrackTaskInfo;
    try {
      info = await getInfo(options.signal);
      failures = 0;
    } catch (error) {
      if (options.signal?.aborted || !isTransientFailure(error) || ++failures > maxFailures) throw error;
      interval = Math.min(max, interval * 1.5);
      await sleep(interval, options.signal);
      continue;
    }
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
    await sleep(interval, options.signal);
  }
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await abortableSleep(ms, signal);
  } catch (cause) {
    throw new UserAbortError({ cause });
  }
}
