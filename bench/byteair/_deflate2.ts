/** CRC-32 (IEEE) lookup table. */
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
// Fixed-Huffman code of each literal/length symbol (RFC 1951 §3.2.6), bit-reversed because deflate writes LSB first;
// the length is in the top bits: `code | length << 16`.
const LITERAL = new Int32Array(288);
for (let s = 0; s < 288; s++) {
  const [length, first, base] = s < 144 ? [8, 0, 0x30] : s < 256 ? [9, 144, 0x190] : s < 280 ? [7, 256, 0] : [8, 280, 0xc0];
  LITERAL[s] = reverseBits(base + s - first, length) | (length << 16);
}
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537];
const extraBits = (i: number, from: number) => (i < from ? 0 : (i - from + (from === 4 ? 2 : 4)) >> 1) ;
// Per match length 3..258 and distance 1..MAX: the symbol's code (bit-reversed), extra bits and their count, packed.
const LENGTH_CODE = new Int32Array(259); const LENGTH_EXTRA = new Int32Array(259);
for (let i = 0; i < 29; i++) {
  const bits = i === 28 ? 0 : i < 8 ? 0 : (i - 4) >> 2;
  for (let l = LENGTH_BASE[i]!; l < (LENGTH_BASE[i + 1] ?? 259); l++) { LENGTH_CODE[l] = LITERAL[257 + i]!; LENGTH_EXTRA[l] = (l - LENGTH_BASE[i]!) | (bits << 16); }
}
const MAX_DISTANCE = 2048;
const DISTANCE_CODE = new Int32Array(MAX_DISTANCE + 1);
for (let i = 0; i < DISTANCE_BASE.length; i++) {
  const bits = i < 4 ? 0 : (i - 2) >> 1;
  for (let d = DISTANCE_BASE[i]!; d < (DISTANCE_BASE[i + 1] ?? MAX_DISTANCE + 1); d++) DISTANCE_CODE[d] = (reverseBits(i, 5) | ((d - DISTANCE_BASE[i]!) << 5)) | ((5 + bits) << 16);
}
void extraBits;
const HASH_BITS = 10;
const MAX_INPUT = 2048;
const head = new Int16Array(1 << HASH_BITS);
const prev = new Int16Array(MAX_INPUT);
const MAX_CHAIN = 8;
export function gzipSmall(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(18 + n + (n >> 3) + 8);
  out[0] = 0x1f; out[1] = 0x8b; out[2] = 8; out[9] = 3;
  let pos = 10;
  let bits = 3; // BFINAL, then BTYPE 01: fixed Huffman
  let count = 3;
  head.fill(-1);
  let i = 0;
  while (i < n) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + 2 < n) {
      const h = ((input[i]! << 5) ^ (input[i + 1]! << 2) ^ input[i + 2]!) & ((1 << HASH_BITS) - 1);
      const limit = Math.min(258, n - i);
      for (let candidate = head[h]!, chain = 0; candidate >= 0 && chain < MAX_CHAIN && i - candidate <= MAX_DISTANCE; candidate = prev[candidate]!, chain++) {
        let length = 0;
        while (length < limit && input[candidate + length] === input[i + length]) length++;
        if (length > bestLength) { bestLength = length; bestDistance = i - candidate; if (length === limit) break; }
      }
      prev[i] = head[h]!; head[h] = i;
    }
    let code: number; let extra: number; let advance: number;
    if (bestLength >= 3) {
      code = LENGTH_CODE[bestLength]!; extra = LENGTH_EXTRA[bestLength]!;
      bits |= (code & 0xffff) << count; count += code >>> 16;
      bits |= (extra & 0xffff) << count; count += extra >>> 16;
      while (count >= 8) { out[pos++] = bits; bits >>>= 8; count -= 8; }
      const d = DISTANCE_CODE[bestDistance]!;
      bits |= (d & 0xffff) << count; count += d >>> 16;
      advance = bestLength;
      for (let j = i + 1, end = Math.min(i + bestLength, n - 2); j < end; j++) {
        const h = ((input[j]! << 5) ^ (input[j + 1]! << 2) ^ input[j + 2]!) & ((1 << HASH_BITS) - 1);
        prev[j] = head[h]!; head[h] = j;
      }
    } else {
      code = LITERAL[input[i]!]!;
      bits |= (code & 0xffff) << count; count += code >>> 16;
      advance = 1;
    }
    while (count >= 8) { out[pos++] = bits; bits >>>= 8; count -= 8; }
    i += advance;
  }
  const end = LITERAL[256]!;
  bits |= (end & 0xffff) << count; count += end >>> 16;
  while (count > 0) { out[pos++] = bits; bits >>>= 8; count -= 8; }
  let crc = -1;
  for (let k = 0; k < n; k++) crc = CRC_TABLE[(crc ^ input[k]!) & 0xff]! ^ (crc >>> 8);
  crc = ~crc;
  out[pos++] = crc; out[pos++] = crc >>> 8; out[pos++] = crc >>> 16; out[pos++] = crc >>> 24;
  out[pos++] = n; out[pos++] = n >>> 8; out[pos++] = n >>> 16; out[pos++] = n >>> 24;
  return out.subarray(0, pos);
}
