import zlib from 'node:zlib';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage } from '@insight/protocol';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const input = encodeMessage(CallbackRequest, message);
const time = (f: () => Uint8Array) => { for (let i = 0; i < 2000; i++) f(); const n = 20000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n); };
const variants: Record<string, () => Uint8Array> = {
  l6: () => zlib.gzipSync(input, { windowBits: 9, chunkSize: 512 }),
  l1: () => zlib.gzipSync(input, { windowBits: 9, chunkSize: 512, level: 1 }),
  l6m4: () => zlib.gzipSync(input, { windowBits: 9, chunkSize: 512, memLevel: 4 }),
  deflateRaw: () => zlib.deflateRawSync(input, { windowBits: 9, chunkSize: 512 }),
};
for (const [k, f] of Object.entries(variants)) console.log(k, f().length);
const sums: Record<string, number> = {};
for (let r = 0; r < 6; r++) for (const [k, f] of Object.entries(variants)) sums[k] = (sums[k] ?? 0) + time(f) / 6;
console.log(Object.entries(sums).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  '));
