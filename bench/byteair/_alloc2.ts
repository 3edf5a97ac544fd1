import { createHmac, hash, createSecretKey } from 'node:crypto';
import { canonicalQuery, formatXDate, sha256Hex } from '@insight/protocol';
const gc = (globalThis as any).gc as () => void;
function alloc(name: string, f: () => unknown) {
  for (let i = 0; i < 500; i++) f();
  gc(); gc(); const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) f();
  console.log(name.padEnd(16), ((process.memoryUsage().heapUsed - before) / 1000).toFixed(0).padStart(6), 'bytes/op');
}
const key = Buffer.alloc(32, 1); const ko = createSecretKey(key);
const msg = 'HMAC-SHA256\n20240101T000000Z\n20240101/placeholder/air/request\n' + 'a'.repeat(64);
const body = new Uint8Array(143);
alloc('noop', () => 0);
alloc('createHmac', () => createHmac('sha256', key).update(msg).digest('hex'));
alloc('createHmac ko', () => createHmac('sha256', ko).update(msg).digest('hex'));
alloc('hash hex', () => hash('sha256', body, 'hex'));
alloc('sha256Hex str', () => sha256Hex(msg));
alloc('canonicalQuery', () => canonicalQuery(''));
alloc('formatXDate', () => formatXDate(Date.now()));
alloc('Date.now', () => Date.now());
alloc('map', () => { const m = new Map<string, string>(); for (const [k, v] of Object.entries({ 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': 't', Host: 'h', 'Request-Id': 'r' })) m.set(k.toLowerCase(), v); return m; });
