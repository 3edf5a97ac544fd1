import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CallbackRequest, CallbackResponse, encodeMessage, PredictResponse, WriteResponse } from '@insight/protocol';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createManualClock, createMockServer, type ManualClock, type MockServer } from '../src/index.js';
import { AIR_TENANT, AKSK_TENANT, callByteAir, QUIET_INSIGHT } from './support/byteair.js';

const clock = createManualClock(Date.UTC(2026, 0, 1));
let server: MockServer;

const validCallback = encodeMessage(
  CallbackRequest,
  CallbackRequest.fromPartial({ uid: 'u', scene: 's', items: [{ id: '1', pos: '1' }] }),
);
const callbackPath = '/predict/api/app/callback';

beforeAll(async () => {
  server = await createMockServer({
    insight: QUIET_INSIGHT,
    clock,
    tenants: [AIR_TENANT, AKSK_TENANT, { tenantId: 'limited', token: 't', applications: ['only-this'] }],
    limits: { bodyBytes: 64 * 1024, decodedBodyBytes: 256 * 1024 },
  });
});
afterAll(() => server.close());

async function health(): Promise<number> {
  return (await fetch(`${server.url}/_insight/health`)).status;
}

describe('bodies the emulator must refuse without crashing', () => {
  it('answers code 400 to random bytes, gzipped or not, on every ByteAir route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('/predict/api/app/callback', '/predict/api/app/home', '/data/api/app/item?method=write'),
        fc.boolean(),
        async (bytes, path, raw) => {
          const response = await callByteAir(server.url, { path, body: bytes, raw, now: clock.now() });
          // Refused in the route's own message type, code 400 with HTTP 200. (A request the emulator accepts needs a
          // uid, and for a callback a scene and an item, or a JSON array for a write: random bytes do not make one.)
          expect(response.status).toBe(200);
          const outcome = path.startsWith('/data/')
            ? WriteResponse.decode(response.body).status
            : path.endsWith('/callback')
              ? CallbackResponse.decode(response.body)
              : PredictResponse.decode(response.body);
          expect(outcome).toMatchObject({ code: 400, success: false });
          expect(outcome?.message).not.toBe('');
        },
      ),
      { numRuns: 60 },
    );
    expect(await health()).toBe(200);
  });

  it('answers code 400 to a body that is not a protobuf message', async () => {
    const response = await callByteAir(server.url, {
      path: '/predict/api/app/home',
      body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      now: clock.now(),
    });
    const decoded = PredictResponse.decode(response.body);
    expect(decoded).toMatchObject({ code: 400, success: false });
    expect(decoded.message).toMatch(/PredictRequest/);
  });

  it('answers 400 to truncated gzip', async () => {
    const gzipped = gzipSync(Buffer.from(validCallback));
    const response = await callByteAir(server.url, {
      path: callbackPath,
      body: gzipped.subarray(0, gzipped.length - 6),
      raw: true,
      headers: { 'content-encoding': 'gzip' },
      now: clock.now(),
    });
    const decoded = CallbackResponse.decode(response.body);
    expect(decoded.code).toBe(400);
    expect(decoded.message).toMatch(/gzip/);
  });

  it('answers 413 to a body over the cap, before and after gunzip (a gzip bomb is not inflated in full)', async () => {
    const oversized = await callByteAir(server.url, {
      path: callbackPath,
      body: randomBytes(80 * 1024),
      raw: true,
      now: clock.now(),
    });
    expect(oversized.status).toBe(413);
    expect(CallbackResponse.decode(oversized.body).code).toBe(413);

    // 16 MiB of zeros in 16 KiB: 64 times the decoded cap, enough to prove the cap without slowing the suite.
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(32 * 1024);
    const response = await callByteAir(server.url, {
      path: callbackPath,
      body: bomb,
      raw: true,
      headers: { 'content-encoding': 'gzip' },
      now: clock.now(),
    });
    expect(response.status).toBe(413);
    expect(CallbackResponse.decode(response.body).message).toMatch(/decompressed body exceeds 262144 bytes/);
    expect(await health()).toBe(200);
  });

  it('refuses an unknown Content-Encoding with 415', async () => {
    const response = await callByteAir(server.url, {
      path: callbackPath,
      body: validCallback,
      raw: true,
      headers: { 'content-encoding': 'br' },
      now: clock.now(),
    });
    expect(response.status).toBe(415);
  });

  it('answers 400 to a path segment that is not valid percent-encoding', async () => {
    const response = await request(`${server.url}/predict/api/%E0%A4%A/callback`, { method: 'POST', body: 'x' });
    expect(response.statusCode).toBe(400);
    await response.body.dump();
  });
});

/** Sends the valid callback to `target`, signed at its clock's time unless `overrides` say otherwise. */
async function callbackTo(target: MockServer, overrides: Partial<Parameters<typeof callByteAir>[1]>) {
  const response = await callByteAir(target.url, {
    path: callbackPath,
    body: validCallback,
    now: target.clock.now(),
    ...overrides,
  });
  return { status: response.status, message: CallbackResponse.decode(response.body) };
}

describe('authentication', () => {
  const callbackWith = (overrides: Partial<Parameters<typeof callByteAir>[1]>) => callbackTo(server, overrides);

  it('accepts a well-signed call in each mode', async () => {
    expect((await callbackWith({})).status).toBe(200);
    expect((await callbackWith({ credentials: AKSK_TENANT })).status).toBe(200);
  });

  it.each([
    ['a wrong token', { credentials: { tenantId: AIR_TENANT.tenantId, token: 'wrong' } }, /bad-signature/],
    ['a wrong secret key', { credentials: { ...AKSK_TENANT, secretKey: 'wrong' } }, /bad-signature/],
    ['an unknown access key', { credentials: { ...AKSK_TENANT, accessKey: 'other' } }, /unknown-key/],
    ['an unknown tenant', { credentials: { tenantId: 'nobody', token: 'x' } }, /unknown-tenant/],
    ['a body changed after signing', { tamper: () => gzipSync(Buffer.from('changed')) }, /bad-signature/],
    ['a stale air timestamp', { now: clock.now() - 301_000 }, /clock-skew/],
    ['a future AK/SK date', { credentials: AKSK_TENANT, now: clock.now() + 301_000 }, /clock-skew/],
    [
      'an application the tenant may not use',
      { credentials: { tenantId: 'limited', token: 't' } },
      /^unknown-application: tenant "limited" has no application "app"/,
    ],
  ] as const)('answers 401 with a protobuf body saying why, for %s', async (_name, overrides, pattern) => {
    const { status, message } = await callbackWith(overrides);
    expect(status).toBe(401);
    expect(message).toMatchObject({ code: 401, success: false });
    expect(message.message).toMatch(pattern);
  });

  it('answers 401 to missing auth headers', async () => {
    const response = await request(`${server.url}${callbackPath}`, {
      method: 'POST',
      headers: { 'tenant-id': AIR_TENANT.tenantId, 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(validCallback)),
    });
    expect(response.statusCode).toBe(401);
    expect(CallbackResponse.decode(new Uint8Array(await response.body.arrayBuffer())).message).toMatch(
      /missing-header/,
    );
  });

  it('refuses a replayed air-auth nonce within the window, and forgets it after the window', async () => {
    const nonce = 'Nonce123';
    expect((await callbackWith({ nonce })).status).toBe(200);
    const replay = await callbackWith({ nonce });
    expect(replay.status).toBe(401);
    expect(replay.message.message).toMatch(/replayed-nonce/);
    clock.advance(301_000);
    expect((await callbackWith({ nonce, now: clock.now() })).status).toBe(200);
  });
});

describe('configured auth windows', () => {
  /** An emulator on its own manual clock with the given ByteAir windows, closed when the test ends. */
  async function startWindowed(byteair: { clockSkewSeconds?: number; nonceWindowSeconds?: number }) {
    const windowed = await createMockServer({
      insight: QUIET_INSIGHT,
      clock: createManualClock(Date.UTC(2026, 0, 1)),
      tenants: [AIR_TENANT, AKSK_TENANT],
      byteair,
    });
    onTestFinished(() => windowed.close());
    return { server: windowed, clock: windowed.clock as ManualClock };
  }

  it('refuses a signature older or newer than clockSkewSeconds, in either auth mode', async () => {
    const { server: windowed, clock: manual } = await startWindowed({ clockSkewSeconds: 10 });
    for (const credentials of [AIR_TENANT, AKSK_TENANT]) {
      expect((await callbackTo(windowed, { credentials, now: manual.now() - 5_000 })).status).toBe(200);
      for (const offset of [-20_000, 20_000]) {
        const refused = await callbackTo(windowed, { credentials, now: manual.now() + offset });
        expect(refused.status).toBe(401);
        expect(refused.message.message).toMatch(/^clock-skew: .* \(window 10 s\)$/);
      }
    }
  });

  it('remembers an air-auth nonce for nonceWindowSeconds when that is longer than the skew window', async () => {
    const { server: windowed, clock: manual } = await startWindowed({ clockSkewSeconds: 10, nonceWindowSeconds: 60 });
    const nonce = 'LongWindow';
    expect((await callbackTo(windowed, { nonce })).status).toBe(200);
    // Freshly signed with the same nonce: its time passes the skew check, its nonce is still remembered.
    manual.advance(30_000);
    const replay = await callbackTo(windowed, { nonce });
    expect(replay.status).toBe(401);
    expect(replay.message.message).toMatch(/^replayed-nonce: /);
    manual.advance(31_000);
    expect((await callbackTo(windowed, { nonce })).status).toBe(200);
  });

  it('refuses a byte-identical replay for as long as its timestamp passes, even with a shorter nonce window', async () => {
    const { server: windowed, clock: manual } = await startWindowed({ clockSkewSeconds: 300, nonceWindowSeconds: 10 });
    const signed = { nonce: 'ShortWindow', now: manual.now(), requestId: 'replayed-call' };
    expect((await callbackTo(windowed, signed)).status).toBe(200);
    const replayed = async () => {
      const answer = await callbackTo(windowed, signed);
      return [answer.status, answer.message.message.split(':')[0]];
    };
    expect(await replayed()).toEqual([401, 'replayed-nonce']);
    manual.advance(20_000);
    expect(await replayed()).toEqual([401, 'replayed-nonce']);
    manual.advance(280_000);
    expect(await replayed()).toEqual([401, 'replayed-nonce']);
    // Once the timestamp is out of the skew window, the clock check refuses it first.
    manual.advance(1_000);
    expect(await replayed()).toEqual([401, 'clock-skew']);
  });
});
