import zlib from 'node:zlib';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage } from '@insight/protocol';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const input = encodeMessage(CallbackRequest, message);
const time = (f: () => Uint8Array) => { for (let i = 0; i < 3000; i++) f(); const n = 30000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n).toFixed(1); };
const o = (m: number) => () => zlib.gzipSync(input, { windowBits: 9, memLevel: m, chunkSize: 1024 });
for (let r = 0; r < 4; r++) console.log([8, 6, 4, 3, 2].map((m) => `m${m} ${time(o(m))}`).join('  '));
