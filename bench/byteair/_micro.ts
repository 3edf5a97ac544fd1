import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
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
const client = createByteAirClient({ tenantId: TENANT.tenantId, applicationId: 'bench-app', hosts: [host], scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000, dispatcher: fake });
async function cl() { const r = await client.callback(message); if (r.code !== 0) throw new Error('x'); }
async function time(call: () => Promise<void>, n: number) {
  const c = process.cpuUsage(); for (let i = 0; i < n; i++) await call(); const u = process.cpuUsage(c); return (u.user + u.system) / n;
}
const only = process.argv[2];
for (let round = 0; round < 5; round++) {
  const r = only === 'client' ? 0 : await time(raw, 5000);
  const c = only === 'raw' ? 0 : await time(cl, 5000);
  console.log(`raw ${r.toFixed(1)} µs  client ${c.toFixed(1)} µs  overhead ${(c - r).toFixed(1)} µs`);
}
