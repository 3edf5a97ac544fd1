import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallbackRequest, PredictRequest } from '../gen/bytedance/volcengine/byteair/volcengine_byteair.js';
import { PayloadTooLargeError, ProtocolDecodeError } from './errors.js';
import { gunzipCapped, gzipBody, isGzip } from './gzip.js';
import { BYTEAIR_MESSAGE_TYPES, decodeMessage, encodeMessage } from './messages.js';
import { SMALL_GZIP_MAX_BYTES } from './small-gzip.js';

describe('gzip with size caps', () => {
  it('round-trips bodies under the cap', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const zipped = gzipBody(bytes);
        expect(isGzip(zipped)).toBe(true);
        expect(gunzipCapped(zipped, { maxBytes: 2000, maxCompressedBytes: 4096 })).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('writes the same bytes as zlib with default settings above the small-body size, compressible or not', () => {
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);
    const text = (n: number) => new TextEncoder().encode('{"reason":"kept"},'.repeat(n).slice(0, n));
    for (const n of [SMALL_GZIP_MAX_BYTES + 1, 3834, 3835, 20_000, 70_000]) {
      for (const bytes of [random(n), text(n)]) expect(Buffer.from(gzipBody(bytes))).toEqual(gzipSync(bytes));
    }
  });

  it('accepts a body of exactly maxBytes and refuses one byte more', () => {
    const zipped = gzipBody(new Uint8Array(1000).fill(7));
    expect(gunzipCapped(zipped, { maxBytes: 1000 }).length).toBe(1000);
    expect(() => gunzipCapped(zipped, { maxBytes: 999 })).toThrow(PayloadTooLargeError);
  });

  it('refuses a gzip bomb without inflating it in full', () => {
    // 1024 concatenated gzip members of 1 MiB of zeros each: about 1 MiB on the wire, 1 GiB once inflated.
    const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
    const started = performance.now();
    let caught: unknown;
    try {
      gunzipCapped(bomb, { maxBytes: 1024 * 1024, maxCompressedBytes: 2 * 1024 * 1024 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PayloadTooLargeError);
    expect(caught).toMatchObject({ limit: 'decompressed', maxBytes: 1024 * 1024 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('checks the compressed size before inflating', () => {
    const zipped = gzipBody(new Uint8Array(100));
    expect(() => gunzipCapped(zipped, { maxBytes: 10_000, maxCompressedBytes: 10 })).toThrow(
      expect.objectContaining({ limit: 'compressed', maxBytes: 10 }),
    );
  });

  it('turns corrupt or truncated gzip into ProtocolDecodeError', () => {
    const zipped = gzipBody(new TextEncoder().encode('hello hello hello'));
    for (const bad of [new Uint8Array([1, 2, 3]), zipped.subarray(0, zipped.length - 5), new Uint8Array()]) {
      expect(() => gunzipCapped(bad, { maxBytes: 1000 })).toThrow(ProtocolDecodeError);
    }
  });

  it('refuses a cap that is not a byte count, naming it', () => {
    const zipped = gzipBody(new Uint8Array(10));
    expect(() => gunzipCapped(zipped, { maxBytes: Number.NaN })).toThrow(/limits\.maxBytes must be a non-negative/);
    expect(() => gunzipCapped(zipped, { maxBytes: 100, maxCompressedBytes: -1 })).toThrow(
      /limits\.maxCompressedBytes must be a non-negative integer, got -1/,
    );
  });

  it('never throws anything but its two typed errors on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const withMagic = new Uint8Array([0x1f, 0x8b, 0x08, ...bytes]);
        for (const input of [bytes, withMagic]) {
          try {
            gunzipCapped(input, { maxBytes: 4096 });
          } catch (error) {
            expect(error instanceof ProtocolDecodeError || error instanceof PayloadTooLargeError).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeMessage', () => {
  it('turns arbitrary bytes into a message or a ProtocolDecodeError naming the type, for every type', () => {
    const names = Object.keys(BYTEAIR_MESSAGE_TYPES);
    expect(names).toEqual(expect.arrayContaining(['CallbackRequest', 'PredictRequest', 'WriteResponse', 'Status']));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.uint8Array({ maxLength: 256 }), (name, bytes) => {
        try {
          decodeMessage(BYTEAIR_MESSAGE_TYPES[name], bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolDecodeError);
          expect((error as ProtocolDecodeError).format).toBe(name);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes each message on its own after an encoding failed midway, and never hands out shared bytes', () => {
    const first = CallbackRequest.fromPartial({ uid: 'u', scene: 's', items: [{ id: 'a' }, { id: 'b' }] });
    const expected = CallbackRequest.encode(first).finish();
    // int32 refuses 2^40 after the user message is written.
    const broken = PredictRequest.fromPartial({ user: { uid: 'someone' }, size: 2 ** 40 });
    expect(() => encodeMessage(PredictRequest, broken)).toThrow();
    const bytes = encodeMessage(CallbackRequest, first);
    expect(bytes).toEqual(expected);
    const big = CallbackRequest.fromPartial({ uid: 'x'.repeat(70_000), items: [{ id: 'c' }] });
    expect(decodeMessage(CallbackRequest, encodeMessage(CallbackRequest, big)).uid).toHaveLength(70_000);
    encodeMessage(CallbackRequest, CallbackRequest.fromPartial({ uid: 'other', items: [{ id: 'z'.repeat(300) }] }));
    expect(bytes).toEqual(expected);
    expect(encodeMessage(CallbackRequest, first)).toEqual(expected);
  });

  it('names the type of a truncated message', () => {
    const bytes = encodeMessage(CallbackRequest, CallbackRequest.fromPartial({ uid: 'someone', scene: 'home' }));
    expect(() => decodeMessage(CallbackRequest, bytes.subarray(0, 5))).toThrow(/invalid CallbackRequest/);
    expect(decodeMessage(CallbackRequest, bytes)).toMatchObject({ uid: 'someone', scene: 'home' });
  });

  it('names the type of a wrong wire type', () => {
    // Field 1 (user) of PredictRequest is a message; wire type 7 does not exist.
    expect(() => decodeMessage(PredictRequest, new Uint8Array([0x0f, 0x00]))).toThrow(
      expect.objectContaining({ format: 'PredictRequest' }),
    );
  });
});
