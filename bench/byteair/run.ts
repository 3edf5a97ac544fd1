// Callbacks per second through `ByteAirClient.callback` (10 items, AK/SK signed), sequential and with 64 in flight,
// against raw `undici.request` posting the same pre-encoded, pre-signed gzip body to the same emulator route; and the
// client's per-callback CPU cost of encode + gzip + sign. The emulator runs in a child process. AK/SK mode lets the raw
// peer reuse one signature (Request-Id is not signed) while each request still gets its own Request-Id, so that the
// emulator does the same work for both. Usage: pnpm exec tsx byteair/run.ts [--seq=2000] [--parallel=10000]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
import { CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, request } from 'undici';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const SEQUENTIAL = arg('seq', 2_000);
const PARALLEL = arg('parallel', 10_000);
const IN_FLIGHT = 64;
const TARGET = 0.8;
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const APP = 'bench-app';

const child = fork(new URL('./server.ts', import.meta.url), [JSON.stringify(TENANT)], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve, reject) => {
  child.once('message', (m) => resolve((m as { port: number }).port));
  child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
});
const host = `127.0.0.1:${port}`;

const message = CallbackRequest.fromPartial({
  uid: 'bench-user',
  scene: 'home',
  predictRequestId: 'bench-predict',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }),
  context: { spm: 'A$##$B$##$C' },
});

// The raw peer: one encoding, one gzip, one signature, reused for every request.
const path = `/predict/api/${APP}/callback`;
const body = gzipBody(encodeMessage(CallbackRequest, message));
const baseHeaders: Record<string, string> = {
  'Content-Encoding': 'gzip',
  'Content-Type': 'application/x-protobuf',
  Accept: 'application/x-protobuf',
  'Accept-Encoding': 'gzip',
  'Tenant-Id': TENANT.tenantId,
  Host: host,
};
Object.assign(baseHeaders, signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: baseHeaders, body }));
const rawAgent = new Agent();
async function rawCallback(): Promise<void> {
  const response = await request(`http://${host}${path}`, {
    method: 'POST',
    headers: { ...baseHeaders, 'Request-Id': randomUUID() },
    body,
    dispatcher: rawAgent,
  });
  await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`raw callback answered ${response.statusCode}`);
}

const client = createByteAirClient({
  tenantId: TENANT.tenantId,
  applicationId: APP,
  hosts: [host],
  scheme: 'http',
  auth: { accessKey: TENANT.accessKey, secretKey: TENANT.secretKey },
  timeout: 10_000,
});
async function clientCallback(): Promise<void> {
  const response = await client.callback(message);
  if (response.code !== 0) throw new Error(`client callback answered code ${response.code}`);
}

async function throughput(call: () => Promise<void>, total: number, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (total / (performance.now() - started)) * 1000;
}

// Best of two rounds, peers interleaved, so that a noisy neighbour penalises both alike.
async function compare(label: string, total: number, inFlight: number): Promise<number> {
  let raw = 0;
  let ours = 0;
  for (let round = 0; round < 2; round++) {
    raw = Math.max(raw, await throughput(rawCallback, total, inFlight));
    ours = Math.max(ours, await throughput(clientCallback, total, inFlight));
  }
  const ratio = ours / raw;
  console.log(
    `${label.padEnd(22)} client ${ours.toFixed(0).padStart(6)}/s   raw undici ${raw.toFixed(0).padStart(6)}/s   ratio ${ratio.toFixed(2)}  ${ratio >= TARGET ? 'PASS' : 'FAIL'} (target ≥ ${TARGET})`,
  );
  return ratio;
}

function cpuCost(): void {
  const rounds = 20_000;
  const time = (work: () => void) => {
    const started = performance.now();
    for (let i = 0; i < rounds; i++) work();
    return ((performance.now() - started) * 1000) / rounds;
  };
  const encoded = encodeMessage(CallbackRequest, message);
  const gzipped = gzipBody(encoded);
  const encode = time(() => encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)));
  const gzip = time(() => gzipBody(encoded));
  const sign = time(() => signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: baseHeaders, body: gzipped }));
  console.log(
    `per callback           encode ${encode.toFixed(1)} µs + gzip ${gzip.toFixed(1)} µs + sign (AK/SK) ${sign.toFixed(1)} µs = ${(encode + gzip + sign).toFixed(1)} µs`,
  );
}

try {
  // Warm up connections, JIT and the emulator's statements.
  await throughput(rawCallback, 300, 8);
  await throughput(clientCallback, 300, 8);
  console.log(`ByteAir callback, 10 items, emulator in a child process (${SEQUENTIAL} sequential, ${PARALLEL} × ${IN_FLIGHT} in flight)`);
  await compare('sequential', SEQUENTIAL, 1);
  await compare(`${IN_FLIGHT} in flight`, PARALLEL, IN_FLIGHT);
  cpuCost();
} finally {
  await client.close();
  await rawAgent.close();
  child.disconnect();
}
