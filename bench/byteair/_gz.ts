import zlib from 'node:zlib';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage } from '@insight/protocol';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const input = encodeMessage(CallbackRequest, message);
console.log('input bytes', input.length);
const time = (name: string, f: () => Uint8Array) => {
  let out = f(); for (let i = 0; i < 2000; i++) out = f();
  const n = 20000; const t = performance.now(); for (let i = 0; i < n; i++) out = f();
  console.log(name.padEnd(28), ((performance.now() - t) * 1000 / n).toFixed(1), 'µs', out.length, 'bytes', Buffer.compare(zlib.gunzipSync(out), input) === 0 ? 'ok' : 'BAD');
  return out;
};
const ref = time('default', () => zlib.gzipSync(input));
for (const [w, m] of [[9, 8], [9, 1], [9, 2], [9, 3], [15, 1]]) {
  const o = time(`w${w} m${m}`, () => zlib.gzipSync(input, { windowBits: w, memLevel: m }));
  console.log('   same bytes as default:', Buffer.compare(o, ref) === 0);
}
for (let r = 0; r < 3; r++) {
time('w9', () => zlib.gzipSync(input, { windowBits: 9 }));
time('w9 chunk512', () => zlib.gzipSync(input, { windowBits: 9, chunkSize: 512 }));
time('w9 m1 chunk512', () => zlib.gzipSync(input, { windowBits: 9, memLevel: 1, chunkSize: 512 }));
time('w9 chunk64', () => zlib.gzipSync(input, { windowBits: 9, chunkSize: 64 }));
}
