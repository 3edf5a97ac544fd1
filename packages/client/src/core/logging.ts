/** A logger the clients write to: `console` fits, and so do pino, winston and most others. */
export interface Logger {
  /** Successful attempts. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Notable but expected events. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Failed attempts that will be retried. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Calls that failed for good. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What one attempt of one call did, as given to the `onAttempt` hook and the logger. */
export interface AttemptInfo {
  /** Stable name of the operation, e.g. `byteair.callback`. */
  route: string;
  /** HTTP method. */
  method: string;
  /** The base URL the attempt went to. */
  host: string;
  /** Path and query string. */
  path: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The request id, the same on every attempt of a call. */
  requestId: string;
  /** HTTP status, when an answer arrived. */
  status?: number | undefined;
  /**
   * The service's own code, when it gave one: an error's, or that of an answer accepted (ByteAir: 0, or 409 for a
   * replay applied before).
   */
  code?: number | undefined;
  /** Wall time of the attempt, in ms. */
  latencyMs: number;
  /** The failure, when the attempt failed. */
  error?: Error | undefined;
  /** Whether another attempt follows. */
  willRetry: boolean;
  /** Delay before the next attempt, in ms, when one follows. */
  retryDelayMs?: number | undefined;
  /** The request headers as sent, with credentials redacted. */
  headers: Record<string, string>;
}

// Logged headers are redacted by the protocol's one list of credential headers.
export { REDACTED, redactHeaders } from '@insight/protocol';
