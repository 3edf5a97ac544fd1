/**
 * One collector's event stream that survives drops: it reconnects from the offset after the last one it yielded when
 * the connection breaks, ends early, falls silent for longer than the heartbeat allows, or cannot be opened for a
 * reason that may pass (throttling, a server error, a timeout).
 */
import { ApiError, ConnectionError, UserAbortError } from '../core/errors.js';
import { abortableSleep } from './pacer.js';
import { createSseParser } from './sse-parser.js';

/** How the stream reconnects. */
export interface ReconnectOptions {
  /**
   * Consecutive reconnections without receiving an event or a heartbeat before the stream gives up.
   * @default 8
   */
  readonly maxAttempts?: number;
  /**
   * First backoff delay in milliseconds; doubling per consecutive failure, with full jitter.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * Longest backoff delay in milliseconds.
   * @default 10000
   */
  readonly maxDelayMs?: number;
}

/** What a collector stream needs from the client. */
export interface CollectorStreamOptions<T> {
  /** The collector id, for error messages. */
  readonly collector: string;
  /** The first position wanted (inclusive). */
  readonly start: number;
  /** Opens the stream at `start` and returns its body; connection-level retries happen inside. */
  readonly connect: (start: number, signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>;
  /** Parses one event's `data`; returns the item and the position to resume from after it. */
  readonly parse: (data: string) => { readonly item: T; readonly next: number };
  /**
   * Called when a connection ends cleanly, with the position to resume from and whether the connection yielded any new
   * item: `true` ends the iteration, `false` reconnects (a failure: the stream gives up after too many in a row), and
   * `'again'` reconnects after the usual delay without counting a failure, to confirm what the end seemed to say.
   */
  readonly isComplete: (next: number, yielded: boolean) => Promise<boolean | 'again'>;
  /** Silence (no event, no heartbeat comment) after which the connection is considered dead, in milliseconds. */
  readonly heartbeatTimeoutMs: number;
  /** Reconnection policy. */
  readonly reconnect?: ReconnectOptions | undefined;
  /** Stops the stream. */
  readonly signal?: AbortSignal | undefined;
}

/** The connection fell silent for longer than the heartbeat timeout. */
class HeartbeatTimeout extends Error {
  override name = 'HeartbeatTimeout';
}

/**
 * Reads one collector, reconnecting as needed; each item is yielded once, in order, in batches of what one chunk of
 * the body completed (a per-event await would cost more than handling the event). A batch belongs to its consumer,
 * who should {@link releaseBatch} it once handled.
 */
export async function* streamCollector<T>(options: CollectorStreamOptions<T>): AsyncGenerator<T[]> {
  const maxAttempts = options.reconnect?.maxAttempts ?? 8;
  const baseDelayMs = options.reconnect?.baseDelayMs ?? 100;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000;
  let next = options.start;
  // Connections in a row without an event or a heartbeat: past `maxAttempts`, the stream gives up.
  let failures = 0;
  // Connections in a row without an event: the delay before the next one grows with them, so that a server that keeps
  // ending quiet connections is not asked again and again at once.
  let idle = 0;
  for (;;) {
    throwIfAborted(options.signal);
    const connection = new AbortController();
    const onAbort = () => connection.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // The consumer's time is not the server's silence: while an item is being handled the watchdog only re-arms.
    let handling = false;
    const watchdog = setTimeout(() => {
      if (handling) watchdog.refresh();
      else connection.abort(new HeartbeatTimeout(`no data for ${options.heartbeatTimeoutMs} ms`));
    }, options.heartbeatTimeoutMs);
    let failure: unknown;
    let yielded = false;
    try {
      const body = await options.connect(next, connection.signal);
      watchdog.refresh();
      // Events are handled per chunk of the body: one async hop per chunk instead of one per event.
      const parser = createSseParser();
      let comments = 0;
      // A function of its own, so that the chunk's parsed messages are not held by this generator while it waits.
      const parseChunk = (chunk: Uint8Array): T[] => {
        const batch: T[] = [];
        for (const message of parser.push(chunk)) {
          if (message.kind === 'comment') {
            // A heartbeat after the opening comment shows the server alive: a quiet collector's drops are then not
            // failures in a row (but still slow down). A server that greets and hangs up gains nothing.
            if (++comments > 1) failures = 0;
            continue;
          }
          failures = 0;
          idle = 0;
          const { item, next: after } = options.parse(message.data);
          // After a reconnect the server may repeat what was already yielded; positions only move forward.
          if (after <= next) continue;
          next = after;
          batch.push(item);
        }
        return batch;
      };
      for await (const chunk of body) {
        // A body is expected to end when its signal aborts; this also covers one that keeps yielding buffered data.
        connection.signal.throwIfAborted();
        watchdog.refresh();
        const batch = parseChunk(chunk);
        if (batch.length === 0) continue;
        yielded = true;
        handling = true;
        yield batch;
        handling = false;
        watchdog.refresh();
      }
      const complete = await options.isComplete(next, yielded);
      if (complete === true) return;
      if (complete === false) {
        failure = new ConnectionError(`collector ${options.collector}: stream ended before its last offset`);
      }
    } catch (error) {
      if (options.signal?.aborted) throw new UserAbortError({ cause: options.signal.reason });
      if (connection.signal.reason instanceof HeartbeatTimeout) failure = connection.signal.reason;
      else if (isTransientFailure(error)) failure = error;
      else throw error;
    } finally {
      clearTimeout(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      connection.abort();
    }
    idle++;
    if (failure !== undefined) failures++;
    if (failures > maxAttempts) {
      throw new ConnectionError(
        `collector ${options.collector}: gave up after ${maxAttempts} reconnections without an event or a heartbeat`,
        { cause: failure },
      );
    }
    const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (idle - 1));
    try {
      await abortableSleep(delay, options.signal);
    } catch {
      throw new UserAbortError({ cause: options.signal?.reason });
    }
  }
}

/**
 * Empties a handled batch. A `for await` loop holds its last batch until the next one arrives, which with twenty
 * collectors keeps thousands of posts alive long enough to be promoted to the old generation: released at once, they
 * die young, where collecting them costs next to nothing.
 */
export function releaseBatch(batch: unknown[]): void {
  batch.length = 0;
}

/** System and stream error codes of a connection lost while its body was being read. */
const BODY_DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether a failure may pass on its own, so that trying again later is worth it: a connection that failed, dropped or
 * timed out, and an answer of the service that says so (throttling, a server error). A refusal that would only repeat
 * (`[40004]`, a rejected token) and a malformed answer are not.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof ApiError) return error.errorClass === 'throttling' || error.errorClass === 'transient';
  if (error instanceof ConnectionError) return true;
  // Errors raised while reading the body: undici socket errors, resets, premature close.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('UND_ERR_') || BODY_DROP_CODES.has(code));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserAbortError({ cause: signal.reason });
}
