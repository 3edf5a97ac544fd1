import { createHmac, createSecretKey } from 'node:crypto';
const key = Buffer.alloc(32, 7); const ko = createSecretKey(key);
const msg = 'HMAC-SHA256\n20240101T000000Z\n20240101/placeholder/air/request\n' + 'a'.repeat(64);
const time = (f: () => unknown) => { for (let i = 0; i < 5000; i++) f(); const n = 50000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n); };
const s = { buf: 0, ko: 0 };
for (let r = 0; r < 6; r++) { s.buf += time(() => createHmac('sha256', key).update(msg).digest('hex')); s.ko += time(() => createHmac('sha256', ko).update(msg).digest('hex')); }
console.log('buffer key', (s.buf / 6).toFixed(2), 'KeyObject', (s.ko / 6).toFixed(2));
