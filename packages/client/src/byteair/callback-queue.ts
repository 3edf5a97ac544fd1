import { randomUUID } from 'node:crypto';
import type { CallbackRequest, CallbackResponse } from '@insight/protocol';
import { InsightError } from '../core/errors.js';
import type { AttemptInfo, Logger } from '../core/logging.js';
import type { ByteAirCallOptions, MessageInit } from './types.js';

/** Settings of a {@link CallbackQueue}. */
export interface CallbackQueueOptions {
  /**
   * Receives every callback that could not be delivered (after the client's retries), with the error and the request
   * as it would have been sent. Required: the queue never drops a callback silently.
   */
  onError: (error: InsightError, request: CallbackRequest, options: ByteAirCallOptions) => void;
  /** Callbacks waiting to be sent, at most. @default 10000 */
  capacity?: number | undefined;
  /** Callbacks sent at the same time, at most. @default 16 */
  concurrency?: number | undefined;
  /** What `enqueue` does when the queue is full: wait for space, or reject with a `CallbackQueueError`. @default 'wait' */
  whenFull?: 'wait' | 'reject' | undefined;
  /** Options applied to every queued callback (timeouts, retries); each `enqueue` call's options win. */
  callOptions?: Omit<ByteAirCallOptions, 'requestId'> | undefined;
}

/** Counters of a {@link CallbackQueue}. */
export interface CallbackQueueStats {
  /** Accepted and not yet sent, including callers waiting for space. */
  queued: number;
  /** Being sent now. */
  inFlight: number;
  /** Delivered (a success, or a 409 to a replay). */
  sent: number;
  /** Retry attempts made. */
  retried: number;
  /** Handed to `onError`. */
  failed: number;
}

/**
 * Sends callbacks in the background: `enqueue` validates and returns at once (or once there is room), a bounded number
 * of sends run concurrently with the client's retries, and every callback ends up delivered or handed to `onError`.
 */
export interface CallbackQueue {
  /**
   * Validates and queues a callback. Resolves once it is queued: at once while there is room; when full, after room
   * frees up (`whenFull: 'wait'`) or never, rejecting with a `CallbackQueueError` (`whenFull: 'reject'`).
   *
   * @throws RequestValidationError (as a rejection) when the callback is invalid; nothing is queued.
   * @throws CallbackQueueError (as a rejection) when the queue is closed, or full in `reject` mode.
   */
  enqueue(request: MessageInit<CallbackRequest>, options?: ByteAirCallOptions): Promise<void>;
  /** Resolves once every callback accepted so far is delivered or reported. */
  flush(): Promise<void>;
  /** Stops accepting callbacks, then resolves once every accepted one is delivered or reported. */
  close(): Promise<void>;
  /** Current counters. */
  readonly stats: Readonly<CallbackQueueStats>;
}

/** Why a callback queue refused a callback. */
export class CallbackQueueError extends InsightError {
  override name = 'CallbackQueueError';
  /** `full`: no room and `whenFull` is `reject`; `closed`: `close()` was called. */
  readonly reason: 'full' | 'closed';

  constructor(reason: 'full' | 'closed', requestId: string | undefined) {
    super(reason === 'full' ? 'callback queue is full' : 'callback queue is closed', { requestId });
    this.reason = reason;
  }
}

/** Default number of callbacks a queue holds. */
export const DEFAULT_QUEUE_CAPACITY = 10_000;
/** Default number of callbacks a queue sends at once. */
export const DEFAULT_QUEUE_CONCURRENCY = 16;

/** What the queue needs from the client. */
export interface CallbackSender {
  /** Normalises and validates a callback, throwing `RequestValidationError`. */
  prepare(request: MessageInit<CallbackRequest>, options: ByteAirCallOptions): CallbackRequest;
  /** Sends a prepared callback with the client's retries. */
  send(request: CallbackRequest, options: ByteAirCallOptions): Promise<CallbackResponse>;
  /** Where a throwing `onError` handler is reported. */
  logger?: Logger | undefined;
}

interface Job {
  request: CallbackRequest;
  options: ByteAirCallOptions;
}

/** Creates a callback queue over a client's callback sender. */
export function createCallbackQueue(sender: CallbackSender, options: CallbackQueueOptions): CallbackQueue {
  if (typeof options?.onError !== 'function') throw new TypeError('createCallbackQueue: onError is required');
  const capacity = positiveInteger(options.capacity ?? DEFAULT_QUEUE_CAPACITY, 'capacity');
  const concurrency = positiveInteger(options.concurrency ?? DEFAULT_QUEUE_CONCURRENCY, 'concurrency');
  const whenFull = options.whenFull ?? 'wait';
  const pending: Job[] = [];
  const waiting: { job: Job; admitted: () => void }[] = [];
  let idle: (() => void)[] = [];
  let inFlight = 0;
  let closed = false;
  const stats = { sent: 0, retried: 0, failed: 0 };
  const countRetries = (info: AttemptInfo) => {
    if (info.willRetry) stats.retried++;
  };

  function report(error: unknown, job: Job): void {
    stats.failed++;
    const failure =
      error instanceof InsightError
        ? error
        : new InsightError(`callback failed: ${String(error)}`, { requestId: job.options.requestId, cause: error });
    try {
      options.onError(failure, job.request, job.options);
    } catch (handlerError) {
      if (sender.logger) sender.logger.error('callback queue onError handler threw', { error: handlerError });
      else process.emitWarning(`callback queue onError handler threw: ${String(handlerError)}`);
    }
  }

  async function deliver(job: Job): Promise<void> {
    const userHook = job.options.onAttempt;
    const onAttempt = userHook
      ? (info: AttemptInfo) => {
          countRetries(info);
          userHook(info);
        }
      : countRetries;
    try {
      await sender.send(job.request, { ...job.options, onAttempt });
      stats.sent++;
    } catch (error) {
      report(error, job);
    } finally {
      inFlight--;
      pump();
    }
  }

  function pump(): void {
    while (inFlight < concurrency && pending.length > 0) {
      const job = pending.shift()!;
      const next = waiting.shift();
      if (next) {
        pending.push(next.job);
        next.admitted();
      }
      inFlight++;
      void deliver(job);
    }
    if (inFlight === 0 && pending.length === 0 && waiting.length === 0 && idle.length > 0) {
      const resolvers = idle;
      idle = [];
      for (const resolve of resolvers) resolve();
    }
  }

  function flush(): Promise<void> {
    if (inFlight === 0 && pending.length === 0 && waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => idle.push(resolve));
  }

  return {
    async enqueue(request, callOptions) {
      // The request id is fixed here so that the error handed to onError names the id that was sent.
      const merged = { ...options.callOptions, ...callOptions };
      const jobOptions = { ...merged, requestId: merged.requestId ?? randomUUID() };
      if (closed) throw new CallbackQueueError('closed', jobOptions.requestId);
      const job = { request: sender.prepare(request, jobOptions), options: jobOptions };
      if (pending.length < capacity) {
        pending.push(job);
        pump();
        return;
      }
      if (whenFull === 'reject') throw new CallbackQueueError('full', jobOptions.requestId);
      await new Promise<void>((admitted) => waiting.push({ job, admitted }));
    },
    flush,
    close() {
      closed = true;
      return flush();
    },
    get stats() {
      return { queued: pending.length + waiting.length, inFlight, ...stats };
    },
  };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createCallbackQueue: ${field} must be a positive integer, got ${value}`);
  }
  return value;
}
