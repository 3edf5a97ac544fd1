/**
 * `consumeBacktrack`: drains every collector of a finished backtrack task into a sink, checkpointing per-collector
 * offsets only after the sink accepted the deliveries they cover. A consumer that crashes and restarts from its
 * checkpoints therefore delivers every post at least once, and a sink that dedupes by `(collector, offset)` sees each
 * exactly once.
 */
import { join } from 'node:path';
import type { BacktrackTaskInfo } from '@insight/protocol';
import { RequestValidationError, UserAbortError } from '../core/errors.js';
import { type CheckpointStore, type CollectorOffsets, createFileCheckpointStore } from './checkpoint-store.js';
import { releaseBatch } from './collector-stream.js';
import {
  type InsightDelivery,
  linkSignal,
  type StreamContext,
  type StreamSettings,
  streamBacktrackCollector,
  streamSettingsIssues,
} from './streams.js';
import type { WaitOptions, WaitUntilFinishedOptions } from './wait.js';

/** Where deliveries go. */
export interface DeliverySink {
  /** Accepts one delivery; a rejection stops the consumer (the delivery is not checkpointed). */
  write(delivery: InsightDelivery): void | Promise<void>;
  /** Makes every accepted delivery durable; runs before each checkpoint save. */
  flush?(): void | Promise<void>;
}

/** Progress of a consumer, reported after every checkpoint save. */
export interface ConsumeProgress {
  readonly taskId: number;
  /** Deliveries accepted by the sink in this run. */
  readonly delivered: number;
  /** Offsets saved, by collector. */
  readonly offsets: CollectorOffsets;
  /** Collectors drained to their end. */
  readonly collectorsDone: number;
  /** Collectors of the task. */
  readonly collectors: number;
}

/** Options of `consumeBacktrack`. */
export interface ConsumeBacktrackOptions extends StreamSettings {
  /** The checkpoint store, or the path of a checkpoint file. @default '.insight/checkpoints.json' in the working directory */
  checkpoints?: CheckpointStore | string | undefined;
  /** Receives each delivery; give this or `sink`. */
  onDelivery?: ((delivery: InsightDelivery) => void | Promise<void>) | undefined;
  /** Receives each delivery and flushes before checkpoints; give this or `onDelivery`. */
  sink?: DeliverySink | undefined;
  /**
   * Collectors read at the same time; within a collector, deliveries reach the sink one at a time, in offset order.
   * @default 20
   */
  concurrency?: number | undefined;
  /** Called after every checkpoint save. */
  onProgress?: ((progress: ConsumeProgress) => void) | undefined;
  /**
   * A checkpoint is saved after this many accepted deliveries, and whenever a collector ends. Fewer saves, more
   * re-delivered posts after a crash.
   * @default 1000
   */
  checkpointEvery?: number | undefined;
  /** Options of the wait for the task to finish. */
  wait?: Omit<WaitUntilFinishedOptions, 'signal'> | undefined;
  /** Stops the consumer; what was accepted so far is checkpointed. */
  signal?: AbortSignal | undefined;
}

/** What a consumer run did. */
export interface ConsumeResult {
  readonly taskId: number;
  /** Deliveries accepted by the sink in this run (re-deliveries after a restart included). */
  readonly delivered: number;
  /** The final offsets, by collector. */
  readonly offsets: CollectorOffsets;
}

/** Default checkpoint file of `consumeBacktrack`, relative to the working directory. */
export const DEFAULT_CHECKPOINT_FILE = join('.insight', 'checkpoints.json');

/** What `consumeBacktrack` needs from the client. */
export interface ConsumeContext extends StreamContext {
  readonly waitUntilFinished: (taskId: number, options: WaitOptions) => Promise<BacktrackTaskInfo>;
  /** Whose tasks these are: task ids repeat across accounts and services. */
  readonly account: CheckpointAccount;
}

/** The account and service a task belongs to. */
export interface CheckpointAccount {
  readonly bizName: string;
  /** The service's base URL (its origin: scheme, host and port). */
  readonly baseUrl: string;
}

/**
 * The checkpoint key of a backtrack task of one account on one service, e.g.
 * `backtrack:12 demo-biz@https://insight.volcengineapi.com`: task ids repeat across accounts and services (the
 * emulator numbers its own from 1), so a key of the task id alone would let one resume from another's offsets.
 */
export function backtrackCheckpointKey(taskId: number, account: CheckpointAccount): string {
  return `backtrack:${taskId} ${account.bizName}@${new URL(account.baseUrl).origin}`;
}

/** Waits for the task, then drains every collector into the sink; see {@link ConsumeBacktrackOptions}. */
export async function consumeBacktrack(
  context: ConsumeContext,
  taskId: number,
  options: ConsumeBacktrackOptions,
): Promise<ConsumeResult> {
  const sink = resolveSink(options);
  const concurrency = options.concurrency ?? 20;
  const checkpointEvery = options.checkpointEvery ?? 1000;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RequestValidationError([{ path: 'concurrency', message: 'must be an integer ≥ 1' }]);
  }
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) {
    throw new RequestValidationError([{ path: 'checkpointEvery', message: 'must be an integer ≥ 1' }]);
  }
  const settingsIssues = streamSettingsIssues(options);
  if (settingsIssues.length > 0) throw new RequestValidationError(settingsIssues);
  const store =
    typeof options.checkpoints === 'object'
      ? options.checkpoints
      : createFileCheckpointStore(options.checkpoints ?? DEFAULT_CHECKPOINT_FILE);
  const key = backtrackCheckpointKey(taskId, context.account);

  const info = await context.waitUntilFinished(taskId, {
    ...options.wait,
    signal: options.signal,
    reconnect: options.reconnect,
  });
  const accepted: Record<string, number> = { ...(await store.load(key)) };
  const pending = Object.entries(info.collector_cur_max_offset)
    .filter(([collector, max]) => max > (accepted[collector] ?? -1))
    .map(([collector]) => collector)
    .sort((a, b) => Number(a) - Number(b));
  const collectors = Object.keys(info.collector_cur_max_offset).length;
  let collectorsDone = collectors - pending.length;
  let delivered = 0;
  let unsaved = 0;

  // Saves run one at a time; a save asked for while one runs is folded into a single follow-up.
  let saving: Promise<void> | undefined;
  let again = false;
  async function saveNow(): Promise<void> {
    unsaved = 0;
    const snapshot = { ...accepted };
    await sink.flush?.();
    await store.save(key, snapshot);
    options.onProgress?.({ taskId, delivered, offsets: snapshot, collectorsDone, collectors });
  }
  function checkpoint(): Promise<void> {
    if (saving) {
      again = true;
      return saving;
    }
    saving = (async () => {
      try {
        do {
          again = false;
          await saveNow();
        } while (again);
      } finally {
        saving = undefined;
      }
    })();
    return saving;
  }

  // One failing collector stops the others, so that the error surfaces at once and nothing runs on behind it.
  const stop = new AbortController();
  const signal = linkSignal(options.signal, stop);

  // Periodic saves do not hold up the collectors; a failed one stops the run like a failed delivery.
  let saveFailure: unknown;
  function checkpointInBackground(): void {
    checkpoint().catch((error: unknown) => {
      saveFailure ??= error;
      stop.abort(error);
    });
  }
  const queue = [...pending];
  async function worker(): Promise<void> {
    for (let collector = queue.shift(); collector !== undefined; collector = queue.shift()) {
      const stream = streamBacktrackCollector(context, {
        taskId,
        collector,
        from: (accepted[collector] ?? -1) + 1,
        lastOffset: info.collector_cur_max_offset[collector],
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        reconnect: options.reconnect,
        signal,
      });
      for await (const batch of stream) {
        for (const delivery of batch) {
          // Nothing reaches the sink after a stop, not even the rest of the batch in hand.
          if (signal.aborted) throw new UserAbortError({ cause: signal.reason });
          // Awaiting a synchronous sink would cost a turn of the event loop per delivery.
          const written = sink.write(delivery);
          if (written) await written;
          accepted[collector] = delivery.offset;
          delivered++;
          if (++unsaved >= checkpointEvery) checkpointInBackground();
        }
        releaseBatch(batch);
      }
      collectorsDone++;
      checkpointInBackground();
    }
  }

  const workers = Math.min(concurrency, pending.length);
  const outcomes = await Promise.allSettled(
    Array.from({ length: workers }, () =>
      worker().catch((error: unknown) => {
        stop.abort(error);
        throw error;
      }),
    ),
  );
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  if (failures.length === 0 && saveFailure === undefined) {
    await checkpoint();
  } else {
    // What the sink accepted is saved even so, so that a restart does not deliver it again.
    await checkpoint().catch(() => undefined);
    // The first failure is the cause; the others are collectors stopped because of it.
    throw saveFailure ?? failures.find((failure) => !(failure instanceof UserAbortError)) ?? failures[0];
  }
  return { taskId, delivered, offsets: { ...accepted } };
}

function resolveSink(options: ConsumeBacktrackOptions): DeliverySink {
  if (options.sink && options.onDelivery) {
    throw new RequestValidationError([{ path: 'sink', message: 'give either sink or onDelivery, not both' }]);
  }
  if (options.sink) return options.sink;
  if (options.onDelivery) return { write: options.onDelivery };
  throw new RequestValidationError([{ path: 'onDelivery', message: 'a sink or an onDelivery callback is required' }]);
}
