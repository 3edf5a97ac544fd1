import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { PayloadTooLargeError, ProtocolDecodeError } from './errors.js';
import { gzipSmall, SMALL_GZIP_MAX_BYTES } from './small-gzip.js';

/** Caps for {@link gunzipCapped}. */
export interface GunzipLimits {
  /** Largest accepted body after decompression, in bytes. */
  maxBytes: number;
  /** Largest accepted body before decompression, in bytes. @default maxBytes */
  maxCompressedBytes?: number;
}

/** Gzips a request body, as both services expect every body to be sent. */
export function gzipBody(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= SMALL_GZIP_MAX_BYTES) return gzipSmall(bytes);
  const zipped = gzipSync(bytes, { windowBits: windowBitsFor(bytes.length), chunkSize: chunkSizeFor(bytes.length) });
  return new Uint8Array(zipped.buffer, zipped.byteOffset, zipped.length);
}

/**
 * An output buffer that holds the whole gzip of an input up to 16 KiB (gzip adds at most 18 bytes of framing and 5 per
 * stored block) instead of always 16 KiB; larger inputs keep the default. A chunk too small would only mean more
 * chunks, never different bytes.
 */
function chunkSizeFor(length: number): number {
  return Math.min(length + 64, constants.Z_DEFAULT_CHUNK);
}

/**
 * The smallest deflate window that still spans the whole input (zlib keeps 262 bytes of lookahead). Setting up the
 * default 32 KiB window costs more than compressing a body of a few KiB; a window wider than the input changes no
 * match, so the output is byte for byte the default one.
 */
function windowBitsFor(length: number): number {
  for (let bits = 9; bits < 15; bits++) if (2 ** bits - 262 >= length) return bits;
  return 15;
}

/**
 * Gunzips a body under size caps. Inflation stops as soon as the output passes `maxBytes`, so a gzip bomb costs at
 * most `maxBytes` of memory.
 *
 * @throws PayloadTooLargeError when a cap is exceeded (saying which one).
 * @throws ProtocolDecodeError when the bytes are not valid gzip.
 * @throws RangeError when a cap is not a non-negative integer.
 */
export function gunzipCapped(bytes: Uint8Array, limits: GunzipLimits): Uint8Array {
  const maxCompressed = limits.maxCompressedBytes ?? limits.maxBytes;
  // A bad cap would otherwise surface as zlib's range error, reported as invalid gzip from the sender.
  for (const [name, cap] of [
    ['maxBytes', limits.maxBytes],
    ['maxCompressedBytes', maxCompressed],
  ] as const) {
    if (!Number.isSafeInteger(cap) || cap < 0) {
      throw new RangeError(`gunzipCapped: limits.${name} must be a non-negative integer, got ${cap}`);
    }
  }
  if (bytes.length > maxCompressed) throw new PayloadTooLargeError('compressed', maxCompressed);
  try {
    // zlib rejects a maxOutputLength of 0; an empty cap is still honoured by the check below.
    const out = gunzipSync(bytes, { maxOutputLength: Math.max(limits.maxBytes, 1) });
    if (out.length > limits.maxBytes) throw new PayloadTooLargeError('decompressed', limits.maxBytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError('decompressed', limits.maxBytes);
    }
    throw new ProtocolDecodeError('gzip', error);
  }
}

/** Whether bytes start with the gzip magic number (responses may or may not be compressed). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
