import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, request } from 'undici';
const mode = process.argv[2] ?? 'client';
const N = Number(process.argv[3] ?? 3000);
const inFlight = Number(process.argv[4] ?? 1);
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const APP = 'bench-app';
const child = fork('/work/main/bench/byteair/server.ts', [JSON.stringify(TENANT)], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((r) => child.once('message', (m) => r((m as any).port)));
const host = `127.0.0.1:${port}`;
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/${APP}/callback`;
const body = gzipBody(encodeMessage(CallbackRequest, message));
const baseHeaders: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
Object.assign(baseHeaders, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: baseHeaders, body }));
const rawAgent = new Agent();
async function raw() {
  const response = await request(`http://${host}${path}`, { method: 'POST', headers: { ...baseHeaders, 'Request-Id': randomUUID() }, body, dispatcher: rawAgent });
  await response.body.arrayBuffer();
}
const client = createByteAirClient({ tenantId: TENANT.tenantId, applicationId: APP, hosts: [host], scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey }, timeout: 10_000 });
async function cl() { const r = await client.callback(message); if (r.code !== 0) throw new Error('x'); }
const call = mode === 'raw' ? raw : cl;
async function run(total: number) {
  let next = 0;
  const cpu = process.cpuUsage(); const t = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < total) { next++; await call(); } }));
  const u = process.cpuUsage(cpu);
  return { rate: total / (performance.now() - t) * 1000, cpu: (u.user + u.system) / total, user: u.user/total, sys: u.system/total };
}
await run(500);
const r = await run(N);
console.log(mode, inFlight, r.rate.toFixed(0), '/s', r.cpu.toFixed(0), "µs CPU/call", "user", r.user.toFixed(0), "sys", r.sys.toFixed(0));
await client.close(); await rawAgent.close(); child.disconnect();
