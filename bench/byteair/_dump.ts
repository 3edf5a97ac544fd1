import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, type Dispatcher } from 'undici';
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const APP = 'bench-app';
const child = fork('/work/main/bench/byteair/server.ts', [JSON.stringify(TENANT)], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((r) => child.once('message', (m) => r((m as any).port)));
const host = `127.0.0.1:${port}`;
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/${APP}/callback`;
const h0: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
const agent = new Agent();
let t1 = 0, t2 = 0;
const spy = { request(opts: any) { if (!(globalThis as any).seen?.[String(opts.signal?.constructor?.name)+Object.keys(opts.headers).length]) { ((globalThis as any).seen ??= {})[String(opts.signal?.constructor?.name)+Object.keys(opts.headers).length] = 1; console.log(opts); } t1 = performance.now(); return agent.request(opts).then((r) => { t2 = performance.now(); return r; }); }, close: () => agent.close() } as unknown as Dispatcher;
async function rawWorkSig() {
  const b = gzipBody(encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
  const hs = { ...h0, 'Request-Id': randomUUID() };
  Object.assign(hs, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: hs, body: b }));
  const e = new EventEmitter(); const t = setTimeout(() => e.emit('abort'), 10_000);
  const response = await spy.request({ origin: `http://${host}`, path, method: 'POST', headers: hs, body: b, signal: e });
  await response.body.bytes(); clearTimeout(t);
}
const client = createByteAirClient({ tenantId: TENANT.tenantId, applicationId: APP, hosts: [host], scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000, dispatcher: spy });
async function cl() { const r = await client.callback(message); if (r.code !== 0) throw new Error('x'); }
const variants: [string, () => Promise<void>][] = [['rawWorkSig', rawWorkSig], ['client', cl]];
const sums = new Map(variants.map(([n]) => [n, { pre: 0, mid: 0, post: 0, n: 0 }]));
for (let round = 0; round < 1; round++) {
  for (const [name, v] of round % 2 ? [...variants].reverse() : variants) {
    const s = sums.get(name)!;
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now(); await v(); const t3 = performance.now();
      if (round > 0) { s.pre += t1 - t0; s.mid += t2 - t1; s.post += t3 - t2; s.n++; }
    }
  }
}
for (const [name, s] of sums) console.log(name.padEnd(10), 'pre', (s.pre / s.n * 1000).toFixed(0), 'µs  mid', (s.mid / s.n * 1000).toFixed(0), 'µs  post', (s.post / s.n * 1000).toFixed(0), 'µs');
await client.close(); child.disconnect();
