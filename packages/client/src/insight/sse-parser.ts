/**
 * A server-sent events parser that follows the WHATWG "event stream interpretation" rules: `LF`, `CR` and `CRLF` line
 * ends (including a `CRLF` split across two chunks), multi-line `data:`, `id:` that persists across events, `retry:`,
 * comments, a leading byte-order mark and chunks that split lines or multi-byte characters anywhere.
 */

/** One dispatched event. */
export interface SseEvent {
  readonly kind: 'event';
  /** The `event:` field, `message` when absent. */
  readonly type: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** The last event id seen so far in the stream (it persists across events), `''` when none. */
  readonly id: string;
  /** The `retry:` reconnection delay announced with this event, in milliseconds. */
  readonly retry?: number;
}

/** A comment line (`: …`); servers send them as heartbeats. */
export interface SseComment {
  readonly kind: 'comment';
  /** The text after the colon, with one leading space removed. */
  readonly text: string;
}

/** What the parser reports: events and comments, in stream order. */
export type SseMessage = SseEvent | SseComment;

/** A push parser: feed it chunks as they arrive, read the messages each chunk completes. */
export interface SseParser {
  /** Parses a chunk and returns the messages it completes; a trailing partial line is kept for the next chunk. */
  push(chunk: Uint8Array | string): SseMessage[];
  /** Ends the stream: an event without its terminating blank line is discarded, as the standard requires. */
  end(): SseMessage[];
}

/** Creates an event-stream parser for one connection. */
export function createSseParser(): SseParser {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let firstChunk = true;
  // A chunk ending in CR may be the first half of a CRLF: the LF at the start of the next chunk must not end a line.
  let skipLeadingLf = false;
  let data: string[] = [];
  let type = '';
  let lastId = '';
  let retry: number | undefined;

  function dispatch(out: SseMessage[]): void {
    if (data.length > 0) {
      out.push({ kind: 'event', type: type || 'message', data: data.join('\n'), id: lastId, retry });
    }
    data = [];
    type = '';
    retry = undefined;
  }

  function processLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      dispatch(out);
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      out.push({ kind: 'comment', text: stripSpace(line.slice(1)) });
      return;
    }
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : stripSpace(line.slice(colon + 1));
    switch (field) {
      case 'data':
        data.push(value);
        break;
      case 'event':
        type = value;
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        // Unknown fields are ignored, per the standard.
        break;
    }
  }

  function consume(text: string, out: SseMessage[]): void {
    if (firstChunk && text.length > 0) {
      firstChunk = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (skipLeadingLf && text.length > 0) {
      skipLeadingLf = false;
      if (text.charCodeAt(0) === 0x0a) text = text.slice(1);
    }
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      processLine(buffer.slice(start, i), out);
      if (c === 0x0d) {
        if (i + 1 === buffer.length) skipLeadingLf = true;
        else if (buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  return {
    push(chunk) {
      const out: SseMessage[] = [];
      consume(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), out);
      return out;
    },
    end() {
      const out: SseMessage[] = [];
      consume(decoder.decode(), out);
      buffer = '';
      data = [];
      return out;
    },
  };
}

/** Reads a byte stream (an HTTP response body) as server-sent events. */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const parser = createSseParser();
  for await (const chunk of body) yield* parser.push(chunk);
  yield* parser.end();
}

function stripSpace(value: string): string {
  return value.startsWith(' ') ? value.slice(1) : value;
}
