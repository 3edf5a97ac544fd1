/**
 * A gzip encoder for small bodies (a callback is a few hundred bytes). `zlib.gzipSync` builds a stream object and a
 * native deflate state for every call; on a busy host that set-up costs several times the compression itself, and
 * more than everything else a client does to send such a request. This encoder writes one deflate block with the
 * fixed Huffman codes (RFC 1951 §3.2.6) and greedy LZ77 matching, or a stored block when that is smaller. The output
 * is plain gzip (RFC 1952, mtime 0), so any inflater reads it; for larger bodies zlib's dynamic codes compress better
 * and its set-up no longer matters.
 */

/** Largest input this encoder takes, in bytes; it bounds the match window and the tables below. */
export const SMALL_GZIP_MAX_BYTES = 2048;

const HASH_BITS = 10;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** Candidates tried per position: enough for the repetitive field names of a small message. */
const MAX_CHAIN = 8;
const MIN_MATCH = 3;
const MAX_MATCH = 258;

const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++, code >>>= 1) reversed = (reversed << 1) | (code & 1);
  return reversed;
}

// Each table entry packs the bits to write (already bit-reversed: deflate sends Huffman codes most significant bit
// first into a least-significant-first stream) in its low 16 bits and their count above.
const LITERAL = new Int32Array(288);
for (let s = 0; s < 288; s++) {
  const [length, first, base] =
    s < 144 ? [8, 0, 0x30] : s < 256 ? [9, 144, 0x190] : s < 280 ? [7, 256, 0] : [8, 280, 0xc0];
  LITERAL[s] = reverseBits(base + s - first, length) | (length << 16);
}
const END_OF_BLOCK = LITERAL[256]!;

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
/** Per match length: its length symbol's code, then its extra bits. */
const LENGTH_CODE = new Int32Array(MAX_MATCH + 1);
const LENGTH_EXTRA = new Int32Array(MAX_MATCH + 1);
LENGTH_BASE.forEach((base, i) => {
  const extraBits = i < 8 || i === 28 ? 0 : (i - 4) >> 2;
  for (let length = base; length < (LENGTH_BASE[i + 1] ?? MAX_MATCH + 1); length++) {
    LENGTH_CODE[length] = LITERAL[257 + i]!;
    LENGTH_EXTRA[length] = (length - base) | (extraBits << 16);
  }
});

const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537];
/** Per match distance: its 5-bit distance code followed by its extra bits. */
const DISTANCE_CODE = new Int32Array(SMALL_GZIP_MAX_BYTES + 1);
DISTANCE_BASE.forEach((base, i) => {
  const extraBits = i < 4 ? 0 : (i - 2) >> 1;
  for (let distance = base; distance < (DISTANCE_BASE[i + 1] ?? SMALL_GZIP_MAX_BYTES + 1); distance++) {
    DISTANCE_CODE[distance] = reverseBits(i, 5) | ((distance - base) << 5) | ((5 + extraBits) << 16);
  }
});

// Match-finder state, reused by every call: the encoder is synchronous, so calls never interleave.
/** Latest position of each 3-byte hash, -1 when none. */
const head = new Int16Array(1 << HASH_BITS);
/** Previous position with the same hash as each position. */
const previous = new Int16Array(SMALL_GZIP_MAX_BYTES);

const GZIP_HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/**
 * Gzips at most {@link SMALL_GZIP_MAX_BYTES} bytes.
 *
 * @throws RangeError when the input is larger.
 */
export function gzipSmall(input: Uint8Array): Uint8Array {
  const n = input.length;
  if (n > SMALL_GZIP_MAX_BYTES) throw new RangeError(`gzipSmall takes at most ${SMALL_GZIP_MAX_BYTES} bytes, got ${n}`);
  // Fixed codes spend at most 9 bits per input byte; a stored block 5 bytes of framing. Both fit.
  const out = new Uint8Array(GZIP_HEADER.length + n + (n >> 3) + 16);
  out.set(GZIP_HEADER);
  let pos = GZIP_HEADER.length;
  let bits = 0b011; // BFINAL = 1, BTYPE = 01 (fixed Huffman codes)
  let count = 3;
  head.fill(-1);
  for (let i = 0; i < n; ) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= n) {
      const hash = ((input[i]! << 5) ^ (input[i + 1]! << 2) ^ input[i + 2]!) & HASH_MASK;
      const limit = Math.min(MAX_MATCH, n - i);
      for (let candidate = head[hash]!, chain = 0; candidate >= 0 && chain < MAX_CHAIN; chain++) {
        let length = 0;
        while (length < limit && input[candidate + length] === input[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
        candidate = previous[candidate]!;
      }
    }
    const step = bestLength >= MIN_MATCH ? bestLength : 1;
    // Every position the match covers becomes a candidate for later ones.
    for (let j = i, end = Math.min(i + step, n - MIN_MATCH + 1); j < end; j++) {
      const hash = ((input[j]! << 5) ^ (input[j + 1]! << 2) ^ input[j + 2]!) & HASH_MASK;
      previous[j] = head[hash]!;
      head[hash] = j;
    }
    const symbol = step === 1 ? LITERAL[input[i]!]! : LENGTH_CODE[bestLength]!;
    bits |= (symbol & 0xffff) << count;
    count += symbol >>> 16;
    if (step > 1) {
      const extra = LENGTH_EXTRA[bestLength]!;
      bits |= (extra & 0xffff) << count;
      count += extra >>> 16;
      while (count >= 8) {
        out[pos++] = bits;
        bits >>>= 8;
        count -= 8;
      }
      const distance = DISTANCE_CODE[bestDistance]!;
      bits |= (distance & 0xffff) << count;
      count += distance >>> 16;
    }
    while (count >= 8) {
      out[pos++] = bits;
      bits >>>= 8;
      count -= 8;
    }
    i += step;
  }
  bits |= (END_OF_BLOCK & 0xffff) << count;
  count += END_OF_BLOCK >>> 16;
  while (count > 0) {
    out[pos++] = bits;
    bits >>>= 8;
    count -= 8;
  }
  // Incompressible input (ids, hashes): a stored block costs 5 bytes of framing instead of up to n / 8.
  if (pos - GZIP_HEADER.length > n + 5) {
    pos = GZIP_HEADER.length;
    out.set([1, n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff], pos); // BFINAL = 1, BTYPE = 00, LEN, NLEN
    out.set(input, pos + 5);
    pos += 5 + n;
  }
  let crc = -1;
  for (let i = 0; i < n; i++) crc = CRC_TABLE[(crc ^ input[i]!) & 0xff]! ^ (crc >>> 8);
  crc = ~crc;
  out.set([crc, crc >>> 8, crc >>> 16, crc >>> 24, n, n >>> 8, 0, 0], pos); // CRC-32, then ISIZE (n < 65536)
  return out.subarray(0, pos + 8);
}
