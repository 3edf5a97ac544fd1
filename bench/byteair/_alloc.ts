import { randomUUID } from 'node:crypto';
import { buildCallbackItems } from '@insight/client';
import { createByteAirClient } from '../../packages/client/src/index.ts';
import { CallbackRequest, CallbackResponse, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { gzipSmall } from './_deflate.ts';
import { Dispatcher, request } from 'undici';
const answer = Buffer.from(encodeMessage(CallbackResponse, CallbackResponse.fromPartial({ code: 0, message: 'ok' })));
class Fake extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    queueMicrotask(() => { const h = handler as any; h.onConnect?.(() => {});
      h.onHeaders?.(200, ['content-type', 'application/x-protobuf', 'content-length', String(answer.length)], () => {}, 'OK');
      h.onData?.(answer); h.onComplete?.([]); });
    return true;
  }
}
const fake = new Fake();
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const host = '127.0.0.1:1';
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/bench-app/callback`;
const encoded = encodeMessage(CallbackRequest, message);
const body = gzipBody(encoded);
const h0: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host, 'Request-Id': randomUUID() };
const client = createByteAirClient({ tenantId: TENANT.tenantId, applicationId: 'bench-app', hosts: [host], scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000, dispatcher: fake });
const gc = (globalThis as any).gc as () => void;
async function alloc(name: string, f: () => unknown) {
  for (let i = 0; i < 500; i++) await f();
  gc(); gc(); const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) await f();
  const after = process.memoryUsage().heapUsed;
  console.log(name.padEnd(16), ((after - before) / 1000).toFixed(0).padStart(6), 'bytes/op');
}
await alloc('noop', () => 0);
await alloc('encode', () => encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
await alloc('gzipBody', () => gzipBody(encoded));
await alloc('gzipSmall', () => gzipSmall(encoded));
await alloc('sign', () => signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: h0, body }));
await alloc('randomUUID', () => randomUUID());
await alloc('raw request', async () => { const r = await request(`http://${host}${path}`, { method: 'POST', headers: h0, body, dispatcher: fake }); await r.body.arrayBuffer(); });
await alloc('client', () => client.callback(message));
