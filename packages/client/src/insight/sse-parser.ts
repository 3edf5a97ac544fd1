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
  // Most events have one data line: a string, joined only when a second line comes, saves an array per event.
  let data: string | undefined;
  let type = '';
  let lastId = '';
  let retry: number | undefined;

  function dispatch(out: SseMessage[]): void {
    if (data !== undefined) out.push({ kind: 'event', type: type || 'message', data, id: lastId, retry });
    data = undefined;
    type = '';
    retry = undefined;
  }

  /** Handles the line `text[start, end)`; the value is sliced straight from the buffer, once. */
  function processLine(text: string, start: number, end: number, out: SseMessage[]): void {
    if (start === end) {
      dispatch(out);
      return;
    }
    let colon = text.indexOf(':', start);
    if (colon >= end) colon = -1;
    const fieldEnd = colon === -1 ? end : colon;
    let valueStart = colon === -1 ? end : colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === 0x20) valueStart++;
    if (colon === start) {
      out.push({ kind: 'comment', text: text.slice(valueStart, end) });
      return;
    }
    // The field name is compared in place: slicing it out would allocate a string for every line.
    const field = fieldEnd - start;
    if (field === 4 && text.startsWith('data', start)) {
      const value = text.slice(valueStart, end);
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (field === 2 && text.startsWith('id', start)) {
      const value = text.slice(valueStart, end);
      if (!value.includes('\0')) lastId = value;
    } else if (field === 5 && text.startsWith('event', start)) {
      type = text.slice(valueStart, end);
    } else if (field === 5 && text.startsWith('retry', start)) {
      const value = text.slice(valueStart, end);
      if (/^\d+$/.test(value)) retry = Number(value);
    }
    // Unknown fields are ignored, per the standard.
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
    // Line ends are found with indexOf rather than a character loop: most streams never contain a CR at all.
    let start = 0;
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    for (;;) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      let end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      if (end === -1) break;
      if (buffer === '') {
        processLine(text, start, end, out);
      } else {
        // Only the line the previous chunk cut is joined: the rest of the chunk is read in place, not copied.
        const line = buffer + text.slice(0, end);
        buffer = '';
        processLine(line, 0, line.length, out);
      }
      if (end === cr) {
        if (end + 1 === text.length) skipLeadingLf = true;
        else if (text.charCodeAt(end + 1) === 0x0a) end++;
      }
      start = end + 1;
    }
    if (start < text.length) buffer += text.slice(start);
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
      data = undefined;
      return out;
    },
  };
}
