import { compilePathGlob } from './glob.js';

// Headers are logged as the protocol redacts them: the same credential list and marker as the client's logs.
export { redactHeaders } from '@insight/protocol';

/** One request as the emulator saw it (`GET /_insight/requests`). */
export interface RequestRecord {
  /** Increasing number of the request since the server started. */
  seq: number;
  /** When the request arrived, ISO 8601 on the server's clock. */
  time: string;
  method: string;
  path: string;
  /** Raw query string, empty when none. */
  query: string;
  /** HTTP status answered; 0 when the connection was dropped without an answer. */
  status: number;
  /** The caller's `Request-Id`, or one the emulator made up. */
  requestId: string;
  /** Module that owned the route (`control` for `/_insight/`, `none` when no route matched). */
  module: string;
  /** Wall time from arrival to the end of the answer, in ms. */
  latencyMs: number;
  /** Request headers, credentials replaced by `[REDACTED]`. */
  headers: Record<string, string>;
  /** Id of the fault rule that acted on the request, if any. */
  fault?: string;
}

/** Filter of {@link RequestLog.list}. */
export interface RequestFilter {
  /** Glob over the path (`*`, `**`, `?`). */
  path?: string;
  method?: string;
  status?: number;
  /** At most this many records, the most recent ones. */
  limit?: number;
}

/** A bounded log of the most recent requests. */
export interface RequestLog {
  add(record: RequestRecord): void;
  /** Matching records, oldest first. */
  list(filter?: RequestFilter): RequestRecord[];
  clear(): void;
}

/** Creates a ring buffer of at most `capacity` records. */
export function createRequestLog(capacity: number): RequestLog {
  const ring: RequestRecord[] = [];
  let start = 0;
  return {
    add(record) {
      if (ring.length < capacity) {
        ring.push(record);
      } else {
        ring[start] = record;
        start = (start + 1) % capacity;
      }
    },
    list(filter = {}) {
      const matchesPath = filter.path === undefined ? undefined : compilePathGlob(filter.path);
      const method = filter.method?.toUpperCase();
      const ordered = [...ring.slice(start), ...ring.slice(0, start)];
      const selected = ordered.filter(
        (r) =>
          (matchesPath === undefined || matchesPath(r.path)) &&
          (method === undefined || r.method === method) &&
          (filter.status === undefined || r.status === filter.status),
      );
      return filter.limit === undefined ? selected : selected.slice(Math.max(0, selected.length - filter.limit));
    },
    clear() {
      ring.length = 0;
      start = 0;
    },
  };
}
