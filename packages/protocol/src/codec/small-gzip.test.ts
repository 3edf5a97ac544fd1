import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallbackRequest } from '../gen/bytedance/volcengine/byteair/volcengine_byteair.js';
import { encodeMessage } from './messages.js';
import { gzipSmall, SMALL_GZIP_MAX_BYTES } from './small-gzip.js';

/** Inputs of every shape up to the size limit: random, few distinct bytes (long matches), repeated text. */
const inputs = fc.oneof(
  fc.uint8Array({ maxLength: SMALL_GZIP_MAX_BYTES }),
  fc.array(fc.constantFrom(0, 1, 97, 255), { maxLength: SMALL_GZIP_MAX_BYTES }).map((bytes) => Uint8Array.from(bytes)),
  fc
    .tuple(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 40 }))
    .map(([text, times]) => new TextEncoder().encode(text.repeat(times)).subarray(0, SMALL_GZIP_MAX_BYTES)),
);

describe('gzipSmall', () => {
  it('writes gzip that zlib inflates to the input, never more than a stored block plus framing', () => {
    fc.assert(
      fc.property(inputs, (bytes) => {
        const zipped = gzipSmall(bytes);
        expect(new Uint8Array(gunzipSync(zipped))).toEqual(bytes);
        expect(zipped.length).toBeLessThanOrEqual(bytes.length + 5 + 18);
      }),
      { numRuns: 1500 },
    );
  });

  it('handles the edges: empty, one byte, the longest match, the size limit', () => {
    for (const bytes of [
      new Uint8Array(0),
      new Uint8Array([42]),
      new Uint8Array(259).fill(7),
      new Uint8Array(SMALL_GZIP_MAX_BYTES).fill(1),
      Uint8Array.from({ length: SMALL_GZIP_MAX_BYTES }, (_, i) => (i * 2654435761) >>> 24),
    ]) {
      expect(new Uint8Array(gunzipSync(gzipSmall(bytes)))).toEqual(bytes);
    }
    expect(() => gzipSmall(new Uint8Array(SMALL_GZIP_MAX_BYTES + 1))).toThrow(RangeError);
  });

  it('writes a fixed gzip header (no name, mtime 0), so equal inputs give equal bytes', () => {
    const bytes = new TextEncoder().encode('{"reason":"kept"}'.repeat(5));
    expect([...gzipSmall(bytes).subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    expect(gzipSmall(bytes)).toEqual(gzipSmall(bytes.slice()));
  });

  it('compresses a 10-item callback about as well as zlib', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({
      id: `item-${i}`,
      pos: String(i + 1),
      extra: '{"reason":"kept"}',
    }));
    const message = encodeMessage(
      CallbackRequest,
      CallbackRequest.fromPartial({ uid: 'user-1', scene: 'home', items }),
    );
    expect(gzipSmall(message).length).toBeLessThanOrEqual(gzipSync(message).length * 1.1);
    expect(gzipSmall(message).length).toBeLessThan(message.length / 2);
  });
});
