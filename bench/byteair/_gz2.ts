import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage } from '@insight/protocol';
import { gzipSmall } from './_deflate.ts';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const input = encodeMessage(CallbackRequest, message);
for (const t of [input, new Uint8Array(0), randomBytes(3000), Buffer.from('abcabcabc'.repeat(500)), Buffer.from('a'.repeat(70000))]) {
  const o = gzipSmall(t); if (Buffer.compare(zlib.gunzipSync(o), t) !== 0) throw new Error('bad ' + t.length);
  console.log('len', t.length, 'js', o.length, 'zlib', zlib.gzipSync(t).length);
}
const time = (f: () => Uint8Array) => { for (let i = 0; i < 3000; i++) f(); const n = 30000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n).toFixed(1); };
for (let r = 0; r < 4; r++) console.log('zlib w9', time(() => zlib.gzipSync(input, { windowBits: 9 })), 'zlib w9 chunk', time(() => zlib.gzipSync(input, { windowBits: 9, chunkSize: 1024 })), 'js', time(() => gzipSmall(input)));
