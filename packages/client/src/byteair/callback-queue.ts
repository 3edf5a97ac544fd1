import { randomUUID } from 'node:crypto';
import type { CallbackRequest, CallbackResponse } from '@insight/protocol';
import { InsightError, UserAbortError } from '../core/errors.js';
import type { AttemptInfo, Logger } from '../core/logging.js';
import type { ByteAirCallOptions, MessageInit } from './types.js';

/**
 * Receives a callback that could not be delivered. It may return a promise (e.g. a write to a dead-letter store): the
 * callback then counts as settled, for `flush()` and `close()`, only once that promise settles, and a rejection is
 * logged, never thrown.
 */
export type CallbackErrorHandler =
  | ((error: InsightError, request: CallbackRequest, options: ByteAirCallOptions) => void)
  | ((error: InsightError, request: CallbackRequest, options: ByteAirCallOptions) => Promise<void>);

/** Settings of a {@link CallbackQueue}. */
export interface CallbackQueueOptions {
  /**
   * Receives every callback that could not be delivered (after the client's retries), with the error and the request
   * as it would have been sent. Required: the queue never drops a callback silently. May return a promise, which the
   * queue waits for (holding one of its `concurrency` slots) before the callback counts as settled; a handler that
   * throws or rejects is logged to the client's logger.
   */
  onError: CallbackErrorHandler;
  /**
   * Callbacks waiting to be sent, at most. In `'wait'` mode, at most as many callers again may wait for room; beyond
   * that `enqueue` rejects with a `CallbackQueueError` (reason `full`), so that memory stays bounded even when
   * `enqueue` is not awaited. @default 10000
   */
  capacity?: number | undefined;
  /** Callbacks sent at the same time, at most. @default 16 */
  concurrency?: number | undefined;
  /**
   * What `enqueue` does when the queue is full: wait for space (while fewer than `capacity` callers already wait), or
   * reject with a `CallbackQueueError`. @default 'wait'
   */
  whenFull?: 'wait' | 'reject' | undefined;
  /**
   * Options applied to every queued callback (timeouts, retries, headers); each `enqueue` call's options win, and its
   * `headers` and `queries` are added to the queue's name by name (a header of the call replaces the queue's header of
   * the same name, whatever its case).
   */
  callOptions?: Omit<ByteAirCallOptions, 'requestId'> | undefined;
}

/** Counters of a {@link CallbackQueue}. */
export interface CallbackQueueStats {
  /** Accepted and not yet sent, including callers waiting for space. */
  queued: number;
  /** Being sent now, or being handed to an `onError` handler whose promise has not settled yet. */
  inFlight: number;
  /** Delivered (a success, or a 409 that means the callback was applied). */
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
   * frees up (`whenFull: 'wait'`, while fewer than `capacity` callers wait) or never, rejecting with a
   * `CallbackQueueError` (`whenFull: 'reject'`, or too many callers waiting).
   *
   * @throws RequestValidationError (as a rejection) when the callback or its options are invalid; nothing is queued.
   * @throws CallbackQueueError (as a rejection) when the queue is closed, or full.
   */
  enqueue(request: MessageInit<CallbackRequest>, options?: ByteAirCallOptions): Promise<void>;
  /**
   * Resolves once every callback accepted before the call (including callers still waiting for room) is delivered or
   * reported to `onError` (and its returned promise settled). Callbacks accepted later are not waited for.
   */
  flush(): Promise<void>;
  /** Stops accepting callbacks, then resolves once every accepted one is delivered or reported. */
  close(): Promise<void>;
  /** Current counters. */
  readonly stats: Readonly<CallbackQueueStats>;
}

/** Why a callback queue refused a callback. */
export class CallbackQueueError extends InsightError {
  override name = 'CallbackQueueError';
  /** `full`: no room (and, in `wait` mode, too many callers waiting); `closed`: `close()` was called. */
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

/** A validated callback, ready to send. */
export interface PreparedCallback {
  /** The message, as handed to `onError`. */
  request: CallbackRequest;
  /** Its encoded body. */
  body: Uint8Array;
}

/** What the queue needs from the client. */
export interface CallbackSender {
  /** Normalises, validates and encodes a callback, throwing `RequestValidationError`. */
  prepare(request: MessageInit<CallbackRequest>, options: ByteAirCallOptions): PreparedCallback;
  /** Sends a prepared callback with the client's retries. */
  send(prepared: PreparedCallback, options: ByteAirCallOptions): Promise<CallbackResponse>;
  /** Where a throwing `onError` handler is reported. */
  logger?: Logger | undefined;
}

interface Job {
  prepared: PreparedCallback;
  options: ByteAirCallOptions;
  /** Order of acceptance, from 1. */
  seq: number;
}

/** Creates a callback queue over a client's callback sender. */
export function createCallbackQueue(sender: CallbackSender, options: CallbackQueueOptions): CallbackQueue {
  if (typeof options?.onError !== 'function') throw new TypeError('createCallbackQueue: onError is required');
  const capacity = positiveInteger(options.capacity ?? DEFAULT_QUEUE_CAPACITY, 'capacity');
  const concurrency = positiveInteger(options.concurrency ?? DEFAULT_QUEUE_CONCURRENCY, 'concurrency');
  const whenFull = options.whenFull ?? 'wait';
  const pending: Job[] = [];
  const waiting: { job: Job; admitted: () => void }[] = [];
  let inFlight = 0;
  let closed = false;
  // Jobs are numbered as they are accepted and may settle in any order. `settledThrough` is the highest number up to
  // which every job has settled; `settledAhead` holds the numbers above it that settled early.
  let accepted = 0;
  let settledThrough = 0;
  const settledAhead = new Set<number>();
  // Callers of flush(), each waiting for every job up to `through` to settle; `through` never decreases along the list.
  const flushes: { through: number; resolve: () => void }[] = [];
  const stats = { sent: 0, retried: 0, failed: 0 };
  const countRetries = (info: AttemptInfo) => {
    if (info.willRetry) stats.retried++;
  };

  /** Reports a failure of the queue's own machinery (a throwing handler); never throws. */
  function warn(message: string, error: unknown): void {
    try {
      if (sender.logger) {
        sender.logger.error(message, { error });
        return;
      }
    } catch {
      // A throwing logger: fall back to a process warning.
    }
    try {
      process.emitWarning(`${message}: ${String(error)}`);
    } catch {
      // Nothing left to report to.
    }
  }

  /** Hands a failed job to onError; the promise, when the handler returned one, settles with it and never rejects. */
  function report(error: unknown, job: Job): Promise<void> | undefined {
    stats.failed++;
    const failure =
      error instanceof InsightError
        ? error
        : new InsightError(`callback failed: ${String(error)}`, { requestId: job.options.requestId, cause: error });
    let outcome: unknown;
    try {
      outcome = options.onError(failure, job.prepared.request, job.options);
    } catch (handlerError) {
      warn('callback queue onError handler threw', handlerError);
      return undefined;
    }
    if (typeof (outcome as PromiseLike<unknown> | undefined)?.then !== 'function') return undefined;
    return Promise.resolve(outcome).then(
      () => undefined,
      (handlerError: unknown) => warn('callback queue onError handler rejected', handlerError),
    );
  }

  async function deliver(job: Job): Promise<void> {
    try {
      const userHook = job.options.onAttempt;
      const onAttempt = userHook
        ? (info: AttemptInfo) => {
            countRetries(info);
            userHook(info);
          }
        : countRetries;
      try {
        await sender.send(job.prepared, { ...job.options, onAttempt });
        stats.sent++;
      } catch (error) {
        await report(error, job);
      }
    } finally {
      inFlight--;
      settle(job.seq);
      pump();
    }
  }

  function settle(seq: number): void {
    if (seq !== settledThrough + 1) {
      settledAhead.add(seq);
      return;
    }
    settledThrough = seq;
    while (settledAhead.delete(settledThrough + 1)) settledThrough++;
    while (flushes.length > 0 && flushes[0]!.through <= settledThrough) flushes.shift()!.resolve();
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
      deliver(job).catch((error: unknown) => warn('callback queue failed to settle a callback', error));
    }
  }

  function flush(): Promise<void> {
    if (settledThrough >= accepted) return Promise.resolve();
    const through = accepted;
    return new Promise((resolve) => flushes.push({ through, resolve }));
  }

  /**
   * Waits until `pump` admits the job. When the caller's signal aborts first, the job leaves the waiting line and
   * counts as settled (flushes that counted it stop waiting for it), and `enqueue` rejects: it was never accepted.
   */
  function waitForRoom(job: Job): Promise<void> {
    const { signal, requestId } = job.options;
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        job,
        admitted: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(waiter), 1);
        settle(job.seq);
        reject(new UserAbortError({ requestId, cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter);
    });
  }

  return {
    async enqueue(request, callOptions) {
      // The request id is fixed here so that the error handed to onError names the id that was sent.
      const jobOptions = mergeCallOptions(options.callOptions, callOptions);
      if (closed) throw new CallbackQueueError('closed', jobOptions.requestId);
      if (jobOptions.signal?.aborted) {
        throw new UserAbortError({ requestId: jobOptions.requestId, cause: jobOptions.signal.reason });
      }
      const prepared = sender.prepare(request, jobOptions);
      if (pending.length < capacity) {
        pending.push({ prepared, options: jobOptions, seq: ++accepted });
        pump();
        return;
      }
      if (whenFull === 'reject' || waiting.length >= capacity) {
        throw new CallbackQueueError('full', jobOptions.requestId);
      }
      await waitForRoom({ prepared, options: jobOptions, seq: ++accepted });
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

/**
 * The options of one queued callback: the queue's, then the call's on top, with `headers` and `queries` merged name by
 * name (the call's value wins; header names match whatever their case), and a request id drawn when neither sets one.
 */
function mergeCallOptions(
  queued: CallbackQueueOptions['callOptions'],
  call: ByteAirCallOptions | undefined,
): ByteAirCallOptions & { requestId: string } {
  let headers = call?.headers ?? queued?.headers;
  if (queued?.headers && call?.headers) {
    const replaced = new Set(Object.keys(call.headers).map((name) => name.toLowerCase()));
    const kept = Object.entries(queued.headers).filter(([name]) => !replaced.has(name.toLowerCase()));
    headers = { ...Object.fromEntries(kept), ...call.headers };
  }
  const queries =
    queued?.queries && call?.queries ? { ...queued.queries, ...call.queries } : (call?.queries ?? queued?.queries);
  const requestId = call?.requestId ?? randomUUID();
  return { ...queued, ...call, headers, queries, requestId };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`createCallbackQueue: ${field} must be a positive integer, got ${value}`);
  }
  return value;
}
