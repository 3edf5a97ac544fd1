import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, request } from 'undici';
import { gzipSmall } from './_deflate.ts';
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const APP = 'bench-app';
const child = fork('/work/main/bench/byteair/server.ts', [JSON.stringify(TENANT)], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((r) => child.once('message', (m) => r((m as any).port)));
const host = `127.0.0.1:${port}`;
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/${APP}/callback`;
const body = gzipBody(encodeMessage(CallbackRequest, message));
const h0: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
const signed = { ...h0, ...signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: h0, body }) };
const agent = new Agent();
async function post(headers: Record<string, string>, b: Uint8Array) {
  const response = await request(`http://${host}${path}`, { method: 'POST', headers, body: b, dispatcher: agent });
  await response.body.arrayBuffer();
}
const sign = (b: Uint8Array) => { const hs = { ...h0, 'Request-Id': randomUUID() }; return Object.assign(hs, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: hs, body: b })); };
const enc = () => encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message));
import { createHmac, hash } from 'node:crypto';
const key = Buffer.alloc(32, 9);
const P = () => post({ ...signed, 'Request-Id': randomUUID() }, body);
const variants: [string, () => Promise<void>][] = [
  ['raw', P],
  ['+hash', () => { hash('sha256', body, 'hex'); return P(); }],
  ['+3hash', () => { hash('sha256', body, 'hex'); hash('sha256', 'abc'.repeat(100), 'hex'); hash('sha256', 'abcd'.repeat(30), 'hex'); return P(); }],
  ['+hmac', () => { createHmac('sha256', key).update('abc'.repeat(50)).digest('hex'); return P(); }],
  ['+signAkSk', () => { signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: h0, body }); return P(); }],
];
const sums = new Map(variants.map(([n]) => [n, { ms: 0, cpu: 0, n: 0 }]));
async function run(call: () => Promise<void>, total: number) {
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < total; i++) await call();
  const u = process.cpuUsage(c); return { ms: performance.now() - t, cpu: u.user + u.system };
}
for (const [, v] of variants) await run(v, 300);
for (let round = 0; round < 10; round++) {
  for (const [name, v] of round % 2 ? [...variants].reverse() : variants) { const r = await run(v, 150); const s = sums.get(name)!; s.ms += r.ms; s.cpu += r.cpu; s.n += 150; }
}
for (const [name, s] of sums) console.log(name.padEnd(10), (s.n / s.ms * 1000).toFixed(0).padStart(5), '/s', (s.cpu / s.n).toFixed(0).padStart(4), 'µs CPU/call');
await agent.close(); child.disconnect();
