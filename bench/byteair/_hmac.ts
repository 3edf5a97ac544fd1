import { createHmac, hash } from 'node:crypto';
const bench = (f: () => unknown) => { for (let i = 0; i < 5000; i++) f(); const n = 50000; const t = performance.now(); for (let i = 0; i < n; i++) f(); return ((performance.now() - t) * 1000 / n).toFixed(2); };
const key = Buffer.alloc(32, 7); const msg = 'HMAC-SHA256\n20240101T000000Z\n20240101/placeholder/air/request\n' + 'a'.repeat(64);
const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c); for (let i = 0; i < 32; i++) { ipad[i] ^= key[i]; opad[i] ^= key[i]; }
const manual = () => hash('sha256', Buffer.concat([opad, hash('sha256', Buffer.concat([ipad, Buffer.from(msg)]), 'buffer')]), 'hex');
console.log(manual() === createHmac('sha256', key).update(msg).digest('hex'));
for (let r = 0; r < 3; r++) console.log('createHmac', bench(() => createHmac('sha256', key).update(msg).digest('hex')), 'manual', bench(manual), 'hash', bench(() => hash('sha256', msg, 'hex')));
