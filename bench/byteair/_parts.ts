import { EventEmitter } from 'node:events';
import crypto, { createHash, createHmac, randomUUID } from 'node:crypto';
import { signByteAirRequest } from '@insight/protocol';
const bench = (name: string, f: () => unknown) => {
  for (let i = 0; i < 5000; i++) f();
  const n = 50000; const t = performance.now(); for (let i = 0; i < n; i++) f();
  console.log(name.padEnd(30), ((performance.now() - t) * 1000 / n).toFixed(2), 'µs');
};
const body = new Uint8Array(143).fill(3);
const headers = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf',
  'Accept-Encoding': 'gzip', 'Tenant-Id': 'bench-tenant', 'Request-Id': randomUUID(), Host: '127.0.0.1:4000' };
const T = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
bench('signAkSk', () => signByteAirRequest(T, { method: 'POST', path: '/predict/api/app/callback', query: '', headers, body }));
bench('signAirAuth', () => signByteAirRequest({ tenantId: 'x', token: 'tok' }, { method: 'POST', path: '/p', query: '', headers, body }));
bench('createHash sha256 hex', () => createHash('sha256').update(body).digest('hex'));
bench('crypto.hash sha256 hex', () => (crypto as any).hash('sha256', body, 'hex'));
const key = Buffer.alloc(32, 1);
bench('createHmac', () => createHmac('sha256', key).update('abcdefghijklmnopqrstuvwxyz'.repeat(6)).digest('hex'));
bench('toISOString+regex', () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''));
bench('URLSearchParams empty', () => [...new URLSearchParams('')]);
bench('AbortController+listener', () => { const c = new AbortController(); const l = () => {}; c.signal.addEventListener('abort', l, { once: true }); c.signal.removeEventListener('abort', l); });
bench('EventEmitter+listener', () => { const c = new EventEmitter(); const l = () => {}; c.once('abort', l); c.removeListener('abort', l); });
bench('setTimeout+clear', () => clearTimeout(setTimeout(() => {}, 10000)));
bench('randomUUID', () => randomUUID());
bench('JSON.parse small', () => JSON.parse('{"reason":"kept"}'));
