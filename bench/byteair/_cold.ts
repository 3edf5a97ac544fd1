import { fork } from 'node:child_process';
import { createHmac, hash, randomUUID } from 'node:crypto';
import { buildCallbackItems } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest, formatXDate, canonicalQuery } from '@insight/protocol';
import { Agent, request } from 'undici';
import zlib from 'node:zlib';
import { gzipSmall } from './_deflate.ts';
import { gzipSmall as gzip2 } from './_deflate2.ts';
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const child = fork('/work/main/bench/byteair/server.ts', [JSON.stringify(TENANT)], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((r) => child.once('message', (m) => r((m as any).port)));
const host = `127.0.0.1:${port}`;
const message = CallbackRequest.fromPartial({ uid: 'bench-user', scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }), context: { spm: 'A$##$B$##$C' } });
const path = `/predict/api/bench-app/callback`;
const encoded = encodeMessage(CallbackRequest, message);
const body = gzipBody(encoded);
const h0: Record<string, string> = { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf', 'Accept-Encoding': 'gzip', 'Tenant-Id': TENANT.tenantId, Host: host };
const signed = { ...h0, ...signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: h0, body }) };
const agent = new Agent();
const key = Buffer.alloc(32, 9);
const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c); for (let i = 0; i < 32; i++) { ipad[i] ^= key[i]!; opad[i] ^= key[i]!; }
const msg = 'abc'.repeat(50);
const ops: Record<string, () => unknown> = {
  noop: () => 0,
  gzip: () => gzipBody(encoded),
  gzipjs: () => gzipSmall(encoded),
  gzipjs2: () => gzip2(encoded),
  gzipL1: () => zlib.gzipSync(encoded, { windowBits: 9, level: 1, chunkSize: 512 }),
  gzipM4: () => zlib.gzipSync(encoded, { windowBits: 9, memLevel: 4, chunkSize: 512 }),
  deflateRaw: () => zlib.deflateRawSync(encoded, { windowBits: 9, chunkSize: 512 }),
  hmac: () => createHmac('sha256', key).update(msg).digest('hex'),
  hmac2hash: () => hash('sha256', Buffer.concat([opad, hash('sha256', Buffer.concat([ipad, Buffer.from(msg)]), 'buffer')]), 'hex'),
};
const sums: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
const names = Object.keys(ops);
for (let i = 0; i < 8000; i++) {
  const name = names[i % names.length]!;
  const t = performance.now(); ops[name]!(); const d = performance.now() - t;
  if (i > 600) sums[name]!.push(d * 1000);
  const response = await request(`http://${host}${path}`, { method: 'POST', headers: { ...signed, 'Request-Id': randomUUID() }, body, dispatcher: agent });
  await response.body.arrayBuffer();
}
for (const [k, v] of Object.entries(sums)) { v.sort((a, b) => a - b); console.log(k.padEnd(9), 'median', v[v.length >> 1]!.toFixed(1), 'mean', (v.reduce((a, b) => a + b) / v.length).toFixed(1), 'µs'); }
await agent.close(); child.disconnect();
