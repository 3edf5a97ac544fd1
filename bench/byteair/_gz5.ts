import zlib from 'node:zlib';
import fc from 'fast-check';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage } from '@insight/protocol';
import { gzipSmall } from './_deflate2.ts';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const input = encodeMessage(CallbackRequest, message);
fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.constantFrom(0, 1, 2, 97), { maxLength: 2048 }).map((a) => Uint8Array.from(a)), fc.string({ maxLength: 600 }).map((s) => new TextEncoder().encode(s.repeat(3)).subarray(0, 2048))), (b) => {
  const o = gzipSmall(b); expect(Buffer.compare(zlib.gunzipSync(o), b) === 0);
}), { numRuns: 3000 });
function expect(x: boolean) { if (!x) throw new Error('mismatch'); }
console.log('ok; sizes', gzipSmall(input).length, zlib.gzipSync(input).length);
const time = (f: () => Uint8Array) => { for (let i = 0; i < 3000; i++) f(); const n = 30000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n).toFixed(1); };
for (let r = 0; r < 3; r++) console.log('zlib', time(() => zlib.gzipSync(input, { windowBits: 9, chunkSize: 512 })), 'js', time(() => gzipSmall(input)));
