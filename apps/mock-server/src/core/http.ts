import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A request as handlers see it. Bodies are read lazily, once, and capped in size. */
export interface EmulatorRequest {
  /** The caller's `Request-Id` (or `X-Request-Id`) header, else an id the emulator made up; shown in the request log. */
  readonly id: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path without the query string, as sent (percent-encoded). */
  readonly path: string;
  /** Raw query string without the leading `?` (empty when none), as signatures cover it. */
  readonly rawQuery: string;
  /** Parsed query string. */
  readonly query: URLSearchParams;
  /** Path parameters of the matched route, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Headers as received (names lower-cased by Node). */
  readonly headers: IncomingHttpHeaders;
  /** The underlying Node request, for what the helpers do not cover. */
  readonly raw: IncomingMessage;
  /** The first value of a header, or `undefined`. */
  header(name: string): string | undefined;
  /**
   * The body exactly as sent (still gzipped when it was), at most `limits.bodyBytes`.
   *
   * @throws EmulatorError 413 when the body is larger.
   */
  rawBody(): Promise<Buffer>;
  /**
   * The body decoded from its `Content-Encoding` (`gzip` or none), at most `limits.decodedBodyBytes` once decoded; a gzip
   * bomb is refused without being inflated in full.
   *
   * @throws EmulatorError 413 when too large, 400 when the gzip stream is corrupt, 415 for another encoding.
   */
  body(): Promise<Buffer>;
  /**
   * The decoded body parsed as JSON.
   *
   * @throws EmulatorError 400 naming the parse error.
   */
  json(): Promise<unknown>;
}

/** An answer with a complete body. */
export interface BodyReply {
  readonly kind: 'body';
  readonly status: number;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Uint8Array | string;
}

/** Where a streaming reply writes. */
export interface StreamSink {
  /**
   * Writes a chunk, waiting for the socket to drain when its buffer is full (backpressure).
   *
   * @returns false once the client has gone; the producer should stop.
   */
  write(chunk: Uint8Array | string): Promise<boolean>;
  /** Aborted when the client disconnects or the server closes. */
  readonly signal: AbortSignal;
  /** The underlying Node response, for what the sink does not cover. */
  readonly res: ServerResponse;
}

/** An answer whose body is produced over time (server-sent events, long downloads). */
export interface StreamReply {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers?: OutgoingHttpHeaders;
  /** Produces the body; the response ends when the returned promise settles. */
  stream(sink: StreamSink): Promise<void>;
}

/** What a handler returns. */
export type Reply = BodyReply | StreamReply;

/** A JSON answer. */
export function jsonReply(value: unknown, status = 200, headers?: OutgoingHttpHeaders): BodyReply {
  return {
    kind: 'body',
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** A protobuf answer from encoded message bytes. */
export function protobufReply(bytes: Uint8Array, status = 200, headers?: OutgoingHttpHeaders): BodyReply {
  return { kind: 'body', status, headers: { 'content-type': 'application/x-protobuf', ...headers }, body: bytes };
}

/** A plain-text answer. */
export function textReply(text: string, status = 200, headers?: OutgoingHttpHeaders): BodyReply {
  return { kind: 'body', status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text };
}

/** A streamed answer, e.g. `text/event-stream`; `headers` should name the content type. */
export function streamReply(
  stream: (sink: StreamSink) => Promise<void>,
  headers: OutgoingHttpHeaders,
  status = 200,
): StreamReply {
  return { kind: 'stream', status, headers, stream };
}
