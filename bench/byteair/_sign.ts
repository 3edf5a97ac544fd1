import { randomUUID } from 'node:crypto';
import { signAkSk as oldSign } from '../../packages/protocol/dist/signing/ak-sk.js';
import { signAkSk as newSign } from '../../packages/protocol/src/signing/ak-sk.ts';
const bench = (name: string, f: () => unknown) => {
  for (let i = 0; i < 5000; i++) f();
  const n = 30000; const t = performance.now(); for (let i = 0; i < n; i++) f();
  return ((performance.now() - t) * 1000 / n);
};
const body = new Uint8Array(143).fill(3);
const headers = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf',
  'Accept-Encoding': 'gzip', 'Tenant-Id': 'bench-tenant', 'Request-Id': randomUUID(), Host: '127.0.0.1:4000' };
const T = { accessKey: 'bench-ak', secretKey: 'bench-sk' };
const input = { method: 'POST', path: '/predict/api/app/callback', query: '', headers, body };
console.log(JSON.stringify(oldSign(T, { ...input, now: 1e12 })) === JSON.stringify(newSign(T, { ...input, now: 1e12 })) ? 'same output' : 'DIFFERENT');
for (let r = 0; r < 4; r++) console.log('old', bench('old', () => oldSign(T, input)).toFixed(2), 'new', bench('new', () => newSign(T, input)).toFixed(2));
