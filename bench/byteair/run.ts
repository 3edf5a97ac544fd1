// Callbacks per second through `ByteAirClient.callback` (10 items, AK/SK signed), sequential and with 64 in flight,
// against raw `undici.request` posting the same pre-encoded, pre-signed gzip body to the same emulator route; and the
// client's per-callback CPU cost of encode + gzip + sign. The emulator runs in a child process. AK/SK mode lets the raw
// peer reuse one signature (Request-Id is not signed) while each request still gets its own Request-Id, so that the
// emulator does the same work for both. The callback carries no predict_request_id, so that the emulator links each one
// through its own Request-Id instead of piling them all on one predict call.
// Run: cd bench && pnpm exec tsx byteair/run.ts [--seq=3000] [--parallel=8000]
import { randomUUID } from 'node:crypto';
import { buildCallbackItems, createByteAirClient } from '@insight/client';
import { byteAirPaths, CallbackRequest, encodeMessage, gzipBody, signByteAirRequest } from '@insight/protocol';
import { Agent, request } from 'undici';
import { numberOption } from '../support/args.js';
import { startEmulatorProcess } from '../support/emulator.js';

const SEQUENTIAL = numberOption('seq', 3_000);
const PARALLEL = numberOption('parallel', 8_000);
const IN_FLIGHT = 64;
const TARGET = 0.8;
const TENANT = { tenantId: 'bench-tenant', accessKey: 'bench-ak', secretKey: 'bench-sk' };
const APP = 'bench-app';

const emulator = await startEmulatorProcess({
  tenants: [TENANT],
  insight: { corpus: { size: 0 }, firehoseRate: 0 },
});
const { port } = emulator;
const host = `127.0.0.1:${port}`;

const message = CallbackRequest.fromPartial({
  uid: 'bench-user',
  scene: 'home',
  items: buildCallbackItems({ shown: Array.from({ length: 10 }, (_, i) => `item-${i}`) }),
  context: { spm: 'A$##$B$##$C' },
});

// The raw peer: one encoding, one gzip, one signature, reused for every request.
const { path } = byteAirPaths.callback(APP);
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

/** Runs `total` calls, `inFlight` at a time; returns the elapsed ms and this process's CPU time in µs. */
async function run(call: () => Promise<void>, total: number, inFlight: number): Promise<{ ms: number; cpuUs: number }> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuUs: used.user + used.system };
}

/**
 * Calls/s of both peers, measured in alternating slices (ABBA) so that a noisy neighbour, JIT warm-up or the
 * emulator's growing tables weigh on both alike; and the CPU time each call costs this (the client's) process. On a
 * shared host a stall of a few hundred ms (another process, the emulator's GC) lands in one slice of one peer and
 * moves the ratio of the totals by ±0.2 from run to run; the verdict therefore uses the median of the per-round
 * ratios (each round pairs one slice of each peer, back to back), which such a stall shifts by one rank whichever
 * peer it hits. The totals' ratio is printed too.
 */
async function compare(label: string, total: number, inFlight: number): Promise<number> {
  const slice = inFlight === 1 ? 50 : inFlight * 4;
  const raw = { ms: 0, cpuUs: 0 };
  const ours = { ms: 0, cpuUs: 0 };
  const roundRatios: number[] = [];
  const peers = [
    [raw, rawCallback],
    [ours, clientCallback],
  ] as const;
  for (let done = 0, round = 0; done < total; done += slice, round++) {
    const n = Math.min(slice, total - done);
    const elapsed = new Map<object, number>();
    // ABBA order: whichever peer runs first in a pair pays for the switch.
    for (const [sum, call] of round % 2 === 0 ? peers : [...peers].reverse()) {
      const { ms, cpuUs } = await run(call, n, inFlight);
      sum.ms += ms;
      sum.cpuUs += cpuUs;
      elapsed.set(sum, ms);
    }
    // Same number of calls in both slices: the throughput ratio is the inverse ratio of their durations.
    roundRatios.push(elapsed.get(raw)! / elapsed.get(ours)!);
  }
  const rate = (sum: { ms: number }) => (total / sum.ms) * 1000;
  const ratio = median(roundRatios);
  const verdict = ratio >= TARGET ? 'PASS' : 'FAIL';
  console.log(
    `${label.padEnd(14)} client ${rate(ours).toFixed(0).padStart(5)}/s (${(ours.cpuUs / total).toFixed(0)} µs CPU/call)   ` +
      `raw undici ${rate(raw).toFixed(0).padStart(5)}/s (${(raw.cpuUs / total).toFixed(0)} µs CPU/call)   ` +
      `ratio ${ratio.toFixed(2)} ${verdict} (target ≥ ${TARGET}; median of ${roundRatios.length} rounds, totals ${(rate(ours) / rate(raw)).toFixed(2)})`,
  );
  return ratio;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
  const sign = time(() =>
    signByteAirRequest(TENANT, { method: 'POST', path, query: '', headers: baseHeaders, body: gzipped }),
  );
  console.log(
    `per callback   encode ${encode.toFixed(1)} µs + gzip ${gzip.toFixed(1)} µs + sign (AK/SK) ${sign.toFixed(1)} µs = ${(encode + gzip + sign).toFixed(1)} µs`,
  );
}

try {
  // Warm up connections, JIT and the emulator's statements.
  await run(rawCallback, 500, 8);
  await run(clientCallback, 500, 8);
  console.log(
    `ByteAir callback, 10 items, emulator in a child process (${SEQUENTIAL} sequential, ${PARALLEL} × ${IN_FLIGHT} in flight)`,
  );
  await compare('sequential', SEQUENTIAL, 1);
  await compare(`${IN_FLIGHT} in flight`, PARALLEL, IN_FLIGHT);
  cpuCost();
} finally {
  await client.close();
  await rawAgent.close();
  emulator.stop();
}
