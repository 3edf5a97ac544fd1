import { gunzipSync, gzipSync } from 'node:zlib';
import {
  CallbackResponse,
  encodeMessage,
  PredictRequest,
  PredictResponse,
  verifyByteAirRequest,
  WriteResponse,
} from '@insight/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, type Received, refusedPort, reply, startServer } from '../../test/support/local-server.js';
import { ApiError, isBizError, isNetError, RequestValidationError, TimeoutError } from '../core/errors.js';
import type { AttemptInfo } from '../core/logging.js';
import { type ByteAirClient, type ByteAirClientOptions, createByteAirClient } from './client.js';

const servers: LocalServer[] = [];
const clients: ByteAirClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function client(s: LocalServer | string[], overrides: Partial<ByteAirClientOptions> = {}): ByteAirClient {
  const c = createByteAirClient({
    tenantId: 'tenant-1',
    applicationId: 'app-1',
    hosts: Array.isArray(s) ? s : [s.host],
    scheme: 'http',
    auth: { token: 'air-token' },
    backoff: { baseMs: 1, capMs: 5 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

const ok = (code = 0, message = 'OK') =>
  Buffer.from(encodeMessage(CallbackResponse, { code, message, success: code === 0 }));

const CALLBACK = { uid: 'u1', items: [{ id: 'i1', pos: '1', extra: '{"reason":"kept"}' }] };

function decoded(request: Received): Buffer {
  return gunzipSync(request.body);
}

describe('ByteAirClient wire format', () => {
  it('posts a gzipped, signed callback with the ByteAir headers', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const response = await client(s).callback(CALLBACK, { requestId: 'rid-1', serverTimeout: 800 });
    expect(response).toEqual({ code: 0, message: 'OK', success: true });
    const [sent] = s.received;
    expect(sent).toMatchObject({ method: 'POST', url: '/predict/api/app-1/callback' });
    expect(sent!.headers).toMatchObject({
      'content-encoding': 'gzip',
      'accept-encoding': 'gzip',
      'content-type': 'application/x-protobuf',
      accept: 'application/x-protobuf',
      'tenant-id': 'tenant-1',
      'request-id': 'rid-1',
      'timeout-millis': '800',
    });
    const verdict = verifyByteAirRequest(
      { method: 'POST', path: '/predict/api/app-1/callback', headers: sent!.headers, body: sent!.body },
      { lookup: () => ({ tenantId: 'tenant-1', token: 'air-token' }) },
    );
    expect(verdict).toMatchObject({ ok: true, mode: 'air' });
  });

  it('signs in AK/SK mode over the Host it sends', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const auth = { accessKey: 'AK', secretKey: 'SK' };
    await client(s, { auth }).callback(CALLBACK);
    const [sent] = s.received;
    expect(sent!.headers.authorization).toMatch(/^HMAC-SHA256 Credential=AK\/\d{8}\/placeholder\/air\/request, /);
    const verdict = verifyByteAirRequest(
      { method: 'POST', path: '/predict/api/app-1/callback', headers: sent!.headers, body: sent!.body },
      { lookup: () => ({ tenantId: 'tenant-1', ...auth }) },
    );
    expect(verdict).toMatchObject({ ok: true, mode: 'aksk' });
  });

  it('reuses keep-alive connections across calls', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const c = client(s);
    for (let i = 0; i < 20; i++) await c.callback(CALLBACK);
    expect(s.received).toHaveLength(20);
    // undici may open a second socket when the next call starts before the first socket is handed back to the pool.
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('keeps the caller scene and defaults an empty one to "default"', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const c = client(s);
    await c.callback({ ...CALLBACK, scene: 'home_feed' });
    await c.callback({ ...CALLBACK, scene: '' });
    const scenes = s.received.map((r) => decoded(r).includes('home_feed'));
    expect(scenes).toEqual([true, false]);
    expect(decoded(s.received[1]!).includes('default')).toBe(true);
  });

  it('predicts in the scene of the URL with stage and extra queries', async () => {
    const answer = PredictResponse.fromPartial({
      code: 0,
      requestId: 'pr-1',
      value: { items: [{ id: 'x', rank: 1 }] },
    });
    const s = await server((_req, res) =>
      reply(res, 200, gzipSync(encodeMessage(PredictResponse, answer)), { 'Content-Encoding': 'gzip' }),
    );
    const response = await client(s).predict(
      { user: { uid: 'u1' }, size: 5 },
      { scene: 'home_feed', stage: 'pre', queries: { region: 'cn' }, headers: { 'Enable-Spm-Route': 'true' } },
    );
    expect(response).toEqual(answer);
    expect(s.received[0]!.url).toBe('/predict/api/app-1/home_feed?stage=pre&region=cn');
    expect(s.received[0]!.headers['enable-spm-route']).toBe('true');
    expect(PredictRequest.decode(decoded(s.received[0]!))).toMatchObject({ user: { uid: 'u1' }, size: 5 });
  });

  it('writes data as a gzipped JSON array with the date headers, and declares days done', async () => {
    const s = await server((_req, res) =>
      reply(
        res,
        200,
        Buffer.from(encodeMessage(WriteResponse, { status: { code: 0, message: 'OK', success: true }, errors: [] })),
      ),
    );
    const c = client(s);
    const rows = [{ id: 'item-1', title: 'x' }];
    const written = await c.writeData(rows, { topic: 'item', date: '2026-11-23', end: true });
    expect(written.status).toMatchObject({ code: 0 });
    await c.done({ topic: 'item', dates: [new Date('2026-11-23T10:00:00Z'), '2026-11-24'] });
    const [write, done] = s.received;
    expect(write).toMatchObject({ url: '/data/api/app-1/item?method=write' });
    expect(write!.headers).toMatchObject({
      'content-type': 'application/json',
      'content-date': '2026-11-23',
      'content-end': 'True',
    });
    expect(JSON.parse(decoded(write!).toString())).toEqual(rows);
    expect(done).toMatchObject({ url: '/data/api/app-1/done?topic=item' });
    expect(JSON.parse(decoded(done!).toString())).toEqual([
      { partition_date: '20261123' },
      { partition_date: '20261124' },
    ]);
  });
});

describe('ByteAirClient errors and retries', () => {
  it('retries body code 429 and 410 and HTTP 5xx with the same Request-Id', async () => {
    const answers = [() => ok(429, 'slow down'), () => ok(410, 'lost'), null, () => ok()];
    const s = await server((_req, res, i) => {
      const answer = answers[i];
      if (answer) reply(res, 200, answer());
      else reply(res, 502);
    });
    const attempts: AttemptInfo[] = [];
    const response = await client(s, { maxRetries: 3 }).callback(CALLBACK, {
      requestId: 'rid-r',
      onAttempt: (info) => attempts.push(info),
    });
    expect(response.code).toBe(0);
    expect(s.received.map((r) => r.headers['request-id'])).toEqual(['rid-r', 'rid-r', 'rid-r', 'rid-r']);
    expect(attempts.map((a) => [a.status, a.code])).toEqual([
      [200, 429],
      [200, 410],
      [502, undefined],
      [200, 0],
    ]);
  });

  it('counts a 409 to a retried call as success, but not to a first attempt', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0) setTimeout(() => reply(res, 200, ok()), 300);
      else reply(res, 200, ok(409, 'duplicate request'));
    });
    const c = client(s, { timeout: 100 });
    await expect(c.callback(CALLBACK, { requestId: 'rid-d' })).resolves.toMatchObject({ code: 409 });
    const error = await c.callback(CALLBACK, { requestId: 'rid-d' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 409, status: 200, retryable: false, attempts: 1, requestId: 'rid-d' });
  });

  it('does not retry a permanent body code and names it in the error', async () => {
    const s = await server((_req, res) => reply(res, 200, ok(400, 'uid is required')));
    const error = await client(s)
      .callback(CALLBACK)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 400, errorClass: 'permanent', attempts: 1 });
    expect((error as Error).message).toMatch(/code 400: uid is required/);
    expect(isBizError(error)).toBe(true);
    expect(isNetError(error)).toBe(false);
  });

  it('reads the code of a non-200 protobuf answer (auth failure)', async () => {
    const s = await server((_req, res) => reply(res, 401, ok(401, 'bad signature')));
    const error = await client(s)
      .callback(CALLBACK)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 401, errorClass: 'auth', retryable: false, attempts: 1 });
    expect((error as Error).message).toMatch(/HTTP 401 code 401: bad signature/);
  });

  it('classifies a timeout as a net error after the retries', async () => {
    const s = await server((_req, res) => setTimeout(() => reply(res, 200, ok()), 300));
    const error = await client(s, { timeout: 50, maxRetries: 1 })
      .callback(CALLBACK)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isNetError(error)).toBe(true);
    expect(isBizError(error)).toBe(false);
    expect(s.received).toHaveLength(2);
  });

  it('fails over to another host when one refuses', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const dead = `127.0.0.1:${await refusedPort()}`;
    await expect(client([dead, s.host]).callback(CALLBACK)).resolves.toMatchObject({ code: 0 });
    expect(s.received).toHaveLength(1);
  });

  it('reports an undecodable 200 answer as a biz error', async () => {
    const s = await server((_req, res) => reply(res, 200, Buffer.from([0xff, 0xff, 0xff])));
    const error = await client(s)
      .callback(CALLBACK)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseValidationError', status: 200 });
    expect(isBizError(error)).toBe(true);
  });
});

describe('ByteAirClient validation', () => {
  it.each([
    [{ items: CALLBACK.items }, {}, /uid is required/],
    [{ uid: 'u1', items: [] }, {}, /items must not be empty/],
    [{ uid: 'u1', items: [{ id: '', pos: '1' }] }, {}, /items\[0\]\.id is required/],
    [
      { uid: 'u1', items: [{ id: 'a', extra: '{reason:kept}' }] },
      {},
      /items\[0\]\.extra must be JSON text, e\.g\. \{"reason":"kept"\} or "filtered"/,
    ],
    [CALLBACK, { headers: { 'enable-spm-route': 'true' } }, /context\.spm is required when Enable-Spm-Route/],
    [
      CALLBACK,
      { headers: { 'request-id': 'x', 'Tenant-Id': 'y' } },
      /headers\.request-id is set by the client.*headers\.Tenant-Id/,
    ],
  ])('refuses callback %j before sending', async (request, options, message) => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const error = await client(s)
      .callback(request, options)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as Error).message).toMatch(message);
    expect(s.received).toHaveLength(0);
  });

  it('refuses invalid predict, writeData and done calls before sending', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const c = client(s);
    await expect(c.predict({ size: 1 })).rejects.toThrow(/user\.uid is required/);
    await expect(c.predict({ user: { uid: 'u' }, size: -1 })).rejects.toThrow(/size must be a non-negative integer/);
    await expect(c.predict({ user: { uid: 'u' } }, { scene: 'a/b' })).rejects.toThrow(/scene must not contain/);
    await expect(c.writeData([], { topic: 'item' })).rejects.toThrow(/data must be a non-empty array/);
    const many = Array.from({ length: 10_001 }, () => ({}));
    await expect(c.writeData(many, { topic: 'item' })).rejects.toThrow(/at most 10000 items/);
    await expect(c.writeData([{ a: 1 }], { topic: 'item', date: '2026-02-30' })).rejects.toThrow(/date must be/);
    await expect(c.writeData([1 as never], { topic: '' })).rejects.toThrow(/topic is required; data\[0\] must be/);
    await expect(c.done({ topic: 'item', dates: ['yesterday'] })).rejects.toThrow(/dates\[0\] must be a YYYY-MM-DD/);
    // Caller queries are appended to the endpoint's, never in place of them.
    await expect(c.done({ topic: 'item', queries: { topic: 'user' } })).rejects.toThrow(/queries\.topic is set by/);
    await expect(c.writeData([{ id: 1 }], { topic: 'item', queries: { method: 'read' } })).rejects.toThrow(
      /queries\.method is set by the endpoint/,
    );
    // Two spellings of one header would reach the service as one value the signature does not cover.
    await expect(c.callback(CALLBACK, { headers: { 'X-Foo': 'a', 'x-foo': 'b' } })).rejects.toThrow(
      /headers\.x-foo repeats the header X-Foo/,
    );
    for (const serverTimeout of [Number.NaN, -5.5, 0, 2 ** 31]) {
      await expect(c.callback(CALLBACK, { serverTimeout })).rejects.toThrow(/serverTimeout/);
    }
    expect(s.received).toHaveLength(0);
  });

  it('checks its options when created', () => {
    const base = { tenantId: 't', applicationId: 'a', hosts: ['h'], auth: { token: 'x' } };
    expect(() => createByteAirClient({ ...base, tenantId: '' })).toThrow(/tenantId is required/);
    expect(() => createByteAirClient({ ...base, hosts: [] })).toThrow(/hosts must list at least one host/);
    expect(() => createByteAirClient({ ...base, hosts: ['https://h'] })).toThrow(/hosts\[0\] must be host\[:port\]/);
    expect(() => createByteAirClient({ ...base, auth: { token: '' } })).toThrow(/auth\.token/);
    expect(() => createByteAirClient({ ...base, auth: { accessKey: 'a', secretKey: '' } })).toThrow(/auth\.secretKey/);
    expect(() => createByteAirClient({ ...base, scheme: 'ftp' as never })).toThrow(/scheme/);
    expect(() => createByteAirClient({ ...base, tenantId: 't ' })).toThrow(/tenantId must not start or end/);
    const aksk = { accessKey: 'a', secretKey: 's' };
    expect(() => createByteAirClient({ ...base, auth: { ...aksk, accessKey: 'a/b' } })).toThrow(/auth\.accessKey/);
    for (const region of ['', 'cn north', 'cn/north']) {
      expect(() => createByteAirClient({ ...base, auth: { ...aksk, region } })).toThrow(/auth\.region/);
    }
  });
});

describe('ByteAirClient: what a 409 means', () => {
  const CODE_409 = () => ok(409, 'duplicate request');

  it('resolves a 409 after an attempt that may have been applied (HTTP 503)', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200, CODE_409())));
    await expect(client(s).callback(CALLBACK, { requestId: 'rid-503' })).resolves.toMatchObject({ code: 409 });
    expect(s.received).toHaveLength(2);
  });

  it.each([
    ['HTTP 429', (res: Parameters<typeof reply>[0]) => reply(res, 429)],
    ['body code 429', (res: Parameters<typeof reply>[0]) => reply(res, 200, ok(429, 'slow down'))],
  ])('refuses a 409 after a throttling refusal (%s): this call was never applied', async (_name, throttle) => {
    const s = await server((_req, res, i) => (i === 0 ? throttle(res) : reply(res, 200, CODE_409())));
    const error = await client(s)
      .callback(CALLBACK, { requestId: 'rid-429' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 409, status: 200, attempts: 2, requestId: 'rid-429' });
  });

  it('refuses a 409 after a connection that never carried the request', async () => {
    const s = await server((_req, res) => reply(res, 200, CODE_409()));
    const dead = `127.0.0.1:${await refusedPort()}`;
    const attempts: AttemptInfo[] = [];
    const error = await client([dead, s.host])
      .callback(CALLBACK, { requestId: 'rid-refused', onAttempt: (info) => attempts.push(info) })
      .catch((e: unknown) => e);
    expect(attempts.map((a) => a.error?.name)).toEqual(['ConnectionError', 'ApiError']);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 409, attempts: 2 });
  });

  it('resolves a 409 to a first attempt with replay: true (a hand-made retry of a call that timed out)', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0) setTimeout(() => reply(res, 200, ok()), 200);
      else reply(res, 200, CODE_409());
    });
    const c = client(s, { timeout: 50, maxRetries: 0 });
    const timedOut = await c.callback(CALLBACK, { requestId: 'rid-hand' }).catch((e: unknown) => e);
    expect(isNetError(timedOut)).toBe(true);
    await expect(c.callback(CALLBACK, { requestId: 'rid-hand', replay: true })).resolves.toMatchObject({ code: 409 });
    // Without replay, the same answer is a reused request id.
    await expect(c.callback(CALLBACK, { requestId: 'rid-hand' })).rejects.toMatchObject({
      name: 'ApiError',
      code: 409,
    });
    expect(s.received.map((r) => r.headers['request-id'])).toEqual(['rid-hand', 'rid-hand', 'rid-hand']);
  });
});

describe('ByteAirClient: timing options', () => {
  const base = { tenantId: 't', applicationId: 'a', hosts: ['h'], auth: { token: 'x' } };

  it.each([
    [{ timeout: Number.POSITIVE_INFINITY }, /^createByteAirClient: timeout must be an integer from 1 to 2147483647/],
    [{ timeout: 2 ** 31 }, /timeout must be an integer/],
    [{ timeout: Number.NaN }, /timeout must be an integer/],
    [{ timeout: 0 }, /timeout must be an integer/],
    [{ maxRetries: -1 }, /^createByteAirClient: maxRetries must be a non-negative integer/],
    [{ maxRetries: 0.5 }, /maxRetries must be a non-negative integer/],
    [{ backoff: { baseMs: -1 } }, /^createByteAirClient: backoff\.baseMs must be a finite number/],
    [{ backoff: { capMs: Number.POSITIVE_INFINITY } }, /backoff\.capMs must be a finite number/],
  ])('refuses %o when created', (settings, message) => {
    expect(() => createByteAirClient({ ...base, ...settings })).toThrow(TypeError);
    expect(() => createByteAirClient({ ...base, ...settings })).toThrow(message);
  });

  it('refuses a per-call timeout out of range before sending', async () => {
    const s = await server((_req, res) => setTimeout(() => reply(res, 200, ok()), 20));
    const c = client(s);
    for (const timeout of [2 ** 31, Number.POSITIVE_INFINITY, Number.NaN, 0]) {
      const error = await c.callback(CALLBACK, { timeout, requestId: 'rid-t' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestValidationError);
      expect(error).toMatchObject({ requestId: 'rid-t', issues: [{ path: 'timeout' }] });
    }
    await expect(c.predict({ user: { uid: 'u' } }, { timeout: 2 ** 31 })).rejects.toMatchObject({
      name: 'RequestValidationError',
      issues: [{ path: 'timeout' }],
    });
    expect(s.received).toHaveLength(0);
  });
});

describe('ByteAirClient: inputs the encoder or the URL cannot take', () => {
  const refused = async (call: Promise<unknown>) => {
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    return (error as RequestValidationError).issues.map((issue) => issue.path);
  };

  it('refuses them with a RequestValidationError naming the field, before sending', async () => {
    const s = await server((_req, res) => reply(res, 200, ok()));
    const c = client(s);
    const uid = { user: { uid: 'u' } };
    expect(await refused(c.predict({ ...uid, size: 3e9 }))).toEqual(['size']);
    expect(await refused(c.predict({ ...uid, size: 2 ** 31 }))).toEqual(['size']);
    expect(await refused(c.predict({ ...uid, size: 2.5 }))).toEqual(['size']);
    expect(await refused(c.predict(uid, { scene: 'home\ud800' }))).toEqual(['scene']);
    expect(await refused(c.predict(null as never))).toEqual(['request']);
    expect(await refused(c.predict({ ...uid, candidateItems: [null as never] }))).toEqual(['candidateItems[0]']);
    expect(await refused(c.predict({ ...uid, searchInfo: { start: 2 ** 40 } }))).toEqual(['request']);
    expect(await refused(c.callback(null as never))).toEqual(['request']);
    expect(await refused(c.callback({ uid: 'u', items: [null as never] }))).toEqual(['items[0]']);
    expect(await refused(c.callback({ uid: 'u', items: [CALLBACK.items[0]!, undefined as never] }))).toEqual([
      'items[1]',
    ]);
    expect(await refused(c.callback({ uid: 'u', items: 'i1' as never }))).toEqual(['items']);
    expect(await refused(c.writeData([{ id: 'a', n: 1n }], { topic: 'item' }))).toEqual(['data[0]']);
    const cyclic: Record<string, unknown> = { id: 'b' };
    cyclic.self = cyclic;
    expect(await refused(c.writeData([{ id: 'a' }, cyclic], { topic: 'item' }))).toEqual(['data[1]']);
    expect(await refused(c.writeData([{ id: 'a' }], { topic: 'item\udc00' }))).toEqual(['topic']);
    expect(await refused(c.done({ topic: '\ud800' }))).toEqual(['topic']);
    expect(s.received).toHaveLength(0);
  });

  it('refuses an application id with a lone surrogate when created', () => {
    const base = { tenantId: 't', hosts: ['h'], auth: { token: 'x' } };
    expect(() => createByteAirClient({ ...base, applicationId: 'app\ud800' })).toThrow(
      /createByteAirClient: applicationId must be well-formed Unicode/,
    );
  });
});
