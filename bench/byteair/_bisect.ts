import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, request } from 'undici';
const inFlight = Number(process.argv[2] ?? 1);
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
const baseHeaders = { ...h0, ...signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: h0, body }) };
const rawAgent = new Agent();
async function raw() {
  const response = await request(`http://${host}${path}`, { method: 'POST', headers: { ...baseHeaders, 'Request-Id': randomUUID() }, body, dispatcher: rawAgent });
  await response.body.arrayBuffer();
}
async function rawWork() { // per-call encode+gzip+sign, like the client
  const b = gzipBody(encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
  const hs = { ...h0, 'Request-Id': randomUUID() };
  Object.assign(hs, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: hs, body: b }));
  const response = await rawAgent.request({ origin: `http://${host}`, path, method: 'POST', headers: hs, body: b });
  await response.body.arrayBuffer();
}
import { EventEmitter } from 'node:events';
async function rawWorkSig() {
  const b = gzipBody(encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
  const hs = { ...h0, 'Request-Id': randomUUID() };
  Object.assign(hs, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: hs, body: b }));
  const e = new EventEmitter(); const t = setTimeout(() => e.emit('abort'), 10_000);
  const response = await rawAgent.request({ origin: `http://${host}`, path, method: 'POST', headers: hs, body: b, signal: e });
  await response.body.bytes(); clearTimeout(t);
}
async function rawSignal() {
  const c = new AbortController(); const t = setTimeout(() => c.abort(), 10_000);
  const response = await rawAgent.request({ origin: `http://${host}`, path, method: 'POST', headers: { ...baseHeaders, 'Request-Id': randomUUID() }, body, signal: c.signal });
  await response.body.bytes(); clearTimeout(t);
}
const client = createByteAirClient({ tenantId: TENANT.tenantId, applicationId: APP, hosts: [host], scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000 });
async function cl() { const r = await client.callback(message); if (r.code !== 0) throw new Error('x'); }
const variants: [string, () => Promise<void>][] = [['raw', raw], ['rawWork', rawWork], ['rawWorkSig', rawWorkSig], ['client', cl]];
const sums = new Map(variants.map(([n]) => [n, { ms: 0, cpu: 0, n: 0 }]));
async function run(call: () => Promise<void>, total: number) {
  let next = 0; const c = process.cpuUsage(); const t = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < total) { next++; await call(); } }));
  const u = process.cpuUsage(c); return { ms: performance.now() - t, cpu: u.user + u.system };
}
for (const [, v] of variants) await run(v, 300);
const SLICE = inFlight === 1 ? 200 : 640;
for (let round = 0; round < Number(process.argv[3] ?? 8); round++) {
  const order = round % 2 ? [...variants].reverse() : variants;
  for (const [name, v] of order) { const r = await run(v, SLICE); const s = sums.get(name)!; s.ms += r.ms; s.cpu += r.cpu; s.n += SLICE; }
}
for (const [name, s] of sums) console.log(name.padEnd(10), (s.n / s.ms * 1000).toFixed(0).padStart(5), '/s', (s.cpu / s.n).toFixed(0).padStart(4), 'µs CPU/call');
await client.close(); await rawAgent.close(); child.disconnect();
