import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient as createOld } from '@insight/client';
import { createByteAirClient as createNew } from '../../packages/client/src/index.ts';
import { CallbackRequest, CallbackResponse, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Dispatcher, request } from 'undici';
const answer = Buffer.from(encodeMessage(CallbackResponse, CallbackResponse.fromPartial({ code: 0, message: 'ok' })));
// Answers every request at once with a canned protobuf body, so only client-side CPU is measured.
class Fake extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    queueMicrotask(() => {
      const h = handler as any;
      h.onConnect?.(() => {});
      h.onHeaders?.(200, ['content-type', 'application/x-protobuf', 'content-length', String(answer.length)], () => {}, 'OK');
      h.onData?.(answer);
      h.onComplete?.([]);
    });
    return true;
  }
}
const fake = new Fake();
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const host = '127.0.0.1:1';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/bench-app/callback`;
const body = gzipBody(encodeMessage(CallbackRequest, message));
const baseHeaders: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
Object.assign(baseHeaders, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: baseHeaders, body }));
async function raw() {
  const response = await request(`http://${host}${path}`, { method: 'POST', headers: { ...baseHeaders, 'Request-Id': randomUUID() }, body, dispatcher: fake });
  await response.body.arrayBuffer();
}
const opts = { tenantId: TENANT.tenantId, applicationId: 'bench-app', hosts: [host], scheme: 'http' as const,
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000, dispatcher: fake };
const oldClient = createOld(opts), newClient = createNew(opts);
async function cl() { const r = await oldClient.callback(message); if (r.code !== 0) throw new Error('x'); }
async function cn() { const r = await newClient.callback(message); if (r.code !== 0) throw new Error('x'); }
const h0: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
async function rawWork() {
  const b = gzipBody(encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
  const hs = { ...h0, 'Request-Id': randomUUID() };
  Object.assign(hs, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: hs, body: b }));
  const response = await fake.request({ origin: `http://${host}`, path, method: 'POST', headers: hs, body: b });
  await response.body.arrayBuffer();
}
import { PerformanceObserver } from 'node:perf_hooks';
let gcCount = 0, gcMs = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) { gcCount++; gcMs += e.duration; } }).observe({ entryTypes: ['gc'] });
async function time(call: () => Promise<void>, n: number) {
  await new Promise((r) => setTimeout(r, 10));
  const g0 = gcCount, m0 = gcMs;
  const h0 = (process as any).memoryUsage().heapUsed;
  const c = process.cpuUsage(); for (let i = 0; i < n; i++) await call(); const u = process.cpuUsage(c);
  await new Promise((r) => setTimeout(r, 10));
  gcs.push(`${gcCount - g0} gcs ${((gcMs - m0) * 1000 / n).toFixed(1)}µs/call`);
  return (u.user + u.system) / n;
}
const gcs: string[] = [];
const only = process.argv[2];
if (only === 'new') { for (let i = 0; i < 10; i++) await time(cn, 5000); } else
for (let round = 0; round < 6; round++) {
  const r = await time(raw, 5000);
  const w = await time(rawWork, 5000);
  const c = await time(cl, 5000);
  const n = await time(cn, 5000);
  console.log(gcs.splice(0).join(' | ')); console.log(`raw ${r.toFixed(1)} µs  rawWork ${w.toFixed(1)} µs  old client ${c.toFixed(1)} µs  new client ${n.toFixed(1)} µs`);
}
