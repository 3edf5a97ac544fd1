// Prototype: gzip with one fixed-Huffman deflate block and greedy LZ77 over hash chains.
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c; }
  return t;
})();
function crc32(b: Uint8Array): number { let c = -1; for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8); return ~c >>> 0; }
function reverse(code: number, len: number): number { let r = 0; for (let i = 0; i < len; i++) { r = (r << 1) | (code & 1); code >>>= 1; } return r; }
// Fixed literal/length codes (RFC 1951 §3.2.6), bit-reversed for LSB-first output.
const LIT_CODE = new Uint16Array(288), LIT_LEN = new Uint8Array(288);
for (let s = 0; s < 288; s++) {
  const [base, len, first] = s < 144 ? [0x30, 8, 0] : s < 256 ? [0x190, 9, 144] : s < 280 ? [0, 7, 256] : [0xc0, 8, 280];
  LIT_CODE[s] = reverse(base + s - first, len); LIT_LEN[s] = len;
}
const LEN_BASE = [3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258];
const LEN_EXTRA = [0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0];
const DIST_BASE = [1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,4097,6145,8193,12289,16385,24577];
const DIST_EXTRA = [0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13];
const LEN_SYM = new Uint8Array(259); for (let i = 0, l = 3; l <= 258; l++) { while (i < 28 && LEN_BASE[i + 1]! <= l) i++; LEN_SYM[l] = i; }
const DIST_CODE = Uint8Array.from({ length: 30 }, (_, i) => reverse(i, 5));
const HASH_BITS = 12, MAX_CHAIN = 16, WINDOW = 32768;
const head = new Int32Array(1 << HASH_BITS);
export function gzipSmall(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(10 + Math.ceil(n * 9 / 8) + 8 + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  let pos = 10, bits = 0, nbits = 0;
  const put = (value: number, len: number) => { bits |= value << nbits; nbits += len; while (nbits >= 8) { out[pos++] = bits & 0xff; bits >>>= 8; nbits -= 8; } };
  put(0b011, 3); // BFINAL=1, BTYPE=01 (fixed Huffman)
  head.fill(-1);
  const prev = new Int32Array(n);
  const hashAt = (i: number) => ((input[i]! << 8) ^ (input[i + 1]! << 4) ^ input[i + 2]!) & ((1 << HASH_BITS) - 1);
  const insert = (i: number) => { if (i + 2 < n) { const h = hashAt(i); prev[i] = head[h]!; head[h] = i; } };
  let i = 0;
  while (i < n) {
    let bestLen = 0, bestDist = 0;
    if (i + 2 < n) {
      let cand = head[hashAt(i)]!;
      const max = Math.min(258, n - i);
      for (let chain = 0; cand >= 0 && i - cand <= WINDOW && chain < MAX_CHAIN; chain++, cand = prev[cand]!) {
        let len = 0; while (len < max && input[cand + len] === input[i + len]) len++;
        if (len > bestLen) { bestLen = len; bestDist = i - cand; if (len === max) break; }
      }
    }
    if (bestLen >= 3) {
      const ls = LEN_SYM[bestLen]!; put(LIT_CODE[257 + ls]!, LIT_LEN[257 + ls]!); put(bestLen - LEN_BASE[ls]!, LEN_EXTRA[ls]!);
      let ds = 0; while (ds < 29 && DIST_BASE[ds + 1]! <= bestDist) ds++;
      put(DIST_CODE[ds]!, 5); put(bestDist - DIST_BASE[ds]!, DIST_EXTRA[ds]!);
      for (const end = i + bestLen; i < end; i++) insert(i);
    } else { put(LIT_CODE[input[i]!]!, LIT_LEN[input[i]!]!); insert(i); i++; }
  }
  put(LIT_CODE[256]!, LIT_LEN[256]!);
  if (nbits > 0) out[pos++] = bits & 0xff;
  const crc = crc32(input);
  const view = new DataView(out.buffer); view.setUint32(pos, crc, true); view.setUint32(pos + 4, n >>> 0, true);
  return out.subarray(0, pos + 8);
}
