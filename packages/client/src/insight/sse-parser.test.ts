import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from './sse-parser.js';

function parseAll(chunks: (string | Uint8Array)[]): SseMessage[] {
  const parser = createSseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe('createSseParser', () => {
  it('joins multi-line data and keeps the id across events', () => {
    const messages = parseAll(['id: 3:12\ndata: {"a":\ndata: 1}\n\ndata: next\n\n']);
    expect(messages).toEqual([
      { kind: 'event', type: 'message', data: '{"a":\n1}', id: '3:12', retry: undefined },
      { kind: 'event', type: 'message', data: 'next', id: '3:12', retry: undefined },
    ]);
  });

  it('reports comments as heartbeats, in stream order', () => {
    const messages = parseAll([': ping\n\n:\ndata: x\n\n']);
    expect(messages.map((m) => (m.kind === 'comment' ? `#${m.text}` : m.data))).toEqual(['#ping', '#', 'x']);
  });

  it('accepts CRLF, CR and LF line ends, including a CRLF split across chunks', () => {
    const messages = parseAll(['data: a\r', '\n\r', '\ndata: b\r\rdata: c\n\n']);
    expect(messages.filter((m) => m.kind === 'event').map((m) => m.data)).toEqual(['a', 'b', 'c']);
  });

  it('does not drop an empty line that follows a lone CR at a chunk end', () => {
    const messages = parseAll(['data: a\r', '\rdata: b\n\n']);
    expect(messages.filter((m) => m.kind === 'event').map((m) => m.data)).toEqual(['a', 'b']);
  });

  it('handles fields without a colon, the event type, retry and an id holding NUL', () => {
    const messages = parseAll(['event: update\nretry: 1500\nid: ok\ndata\n\nid: bad\0\nretry: soon\ndata: z\n\n']);
    expect(messages).toEqual([
      { kind: 'event', type: 'update', data: '', id: 'ok', retry: 1500 },
      { kind: 'event', type: 'message', data: 'z', id: 'ok', retry: undefined },
    ]);
  });

  it('strips a leading byte-order mark and decodes characters split between chunks', () => {
    const bytes = new TextEncoder().encode('\uFEFFdata: 内容洞察\n\n');
    const messages = parseAll([bytes.slice(0, 5), bytes.slice(5, 10), bytes.slice(10)]);
    expect(messages).toEqual([{ kind: 'event', type: 'message', data: '内容洞察', id: '', retry: undefined }]);
  });

  it('discards an event left unterminated at the end of the stream', () => {
    expect(parseAll(['data: complete\n\ndata: partial'])).toHaveLength(1);
    expect(parseAll(['data: partial\n'])).toEqual([]);
  });

  it('gives the same messages however the byte stream is split', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => `data: ${s.replace(/[\r\n]/g, '')}`),
      fc.string({ maxLength: 6 }).map((s) => `id: ${s.replace(/[\r\n\0]/g, '')}`),
      fc.constant(': hb'),
      fc.constant(''),
    );
    const eol = fc.constantFrom('\n', '\r', '\r\n');
    const stream = fc
      .array(fc.tuple(line, eol), { maxLength: 30 })
      .map((parts) => parts.map(([l, e]) => l + e).join(''));
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let previous = 0;
        for (const point of [...points, bytes.length]) {
          chunks.push(bytes.slice(previous, point));
          previous = point;
        }
        expect(parseAll(chunks)).toEqual(parseAll([text]));
      }),
      { numRuns: 300 },
    );
  });
});
