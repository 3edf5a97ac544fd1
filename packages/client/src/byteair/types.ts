import type { CallOptions } from '../core/transport.js';

/**
 * A generated message with every field optional, at every depth: what the ByteAir methods accept. Unset fields take
 * their proto3 defaults, exactly as the generated `fromPartial` fills them.
 */
export type MessageInit<T> = T extends string | number | boolean | bigint | Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? readonly MessageInit<E>[]
    : T extends object
      ? { [K in keyof T]?: MessageInit<T[K]> }
      : T;

/** Per-call options of every ByteAir method. */
export interface ByteAirCallOptions extends CallOptions {
  /** The `Request-Id` header, the same on every attempt. @default a fresh UUID */
  requestId?: string | undefined;
  /** Extra query parameters appended to the URL. */
  queries?: Readonly<Record<string, string>> | undefined;
  /** The `stage` query parameter. */
  stage?: string | undefined;
  /** Server-side timeout, in ms, sent as `Timeout-Millis`. */
  serverTimeout?: number | undefined;
  /**
   * This call repeats an earlier one whose outcome is unknown (e.g. it timed out), with the same `requestId`: a `409`
   * ("this `Request-Id` was already received") then means the earlier call was applied, and resolves like a success.
   * Without it, a `409` counts as a success only when an earlier attempt of this very call may have been applied.
   * @default false
   */
  replay?: boolean | undefined;
}

/** Per-call options of `predict`. */
export interface PredictOptions extends ByteAirCallOptions {
  /** The scene in the URL. @default 'default' */
  scene?: string | undefined;
}

/** A day of data, as a `Date` (its UTC day) or a `YYYY-MM-DD` string. */
export type DataDate = Date | string;

/** Per-call options of `writeData`. */
export interface WriteDataOptions extends ByteAirCallOptions {
  /** The data topic, e.g. `user`, `item`, `behavior`. */
  topic: string;
  /** The day the data belongs to, sent as `Content-Date`. */
  date?: DataDate | undefined;
  /** Whether this is the last batch of the day, sent as `Content-End`. */
  end?: boolean | undefined;
}

/** Per-call options of `done`. */
export interface DoneOptions extends ByteAirCallOptions {
  /** The data topic whose days are complete. */
  topic: string;
  /** The completed days. @default [today (UTC)] */
  dates?: readonly DataDate[] | undefined;
}
