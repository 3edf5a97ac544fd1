import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signAirAuth } from './air-auth.js';
import { canonicalQuery, formatXDate, signAkSk } from './ak-sk.js';
import { signByteAirRequest } from './sign.js';
import type { ByteAirCredentials } from './types.js';
import { type VerifiableRequest, verifyByteAirRequest } from './verify.js';

interface Capture {
  method: string;
  path: string;
  headers: Record<string, string>;
  body_b64: string;
  auth_mode: 'air' | 'ak';
  credentials: { tenant_id: string; token?: string; ak?: string; sk?: string };
  kind: string;
}

const captures: Capture[] = JSON.parse(
  readFileSync(new URL('../../../../fixtures/byteair/official-sdk-requests.json', import.meta.url), 'utf8'),
).captures;

const AUTH_HEADERS = ['tenant-ts', 'tenant-nonce', 'tenant-signature', 'x-date', 'x-content-sha256', 'authorization'];

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1] as string | undefined;
}

function credentialsOf(capture: Capture): ByteAirCredentials {
  const { tenant_id: tenantId, token, ak, sk } = capture.credentials;
  return token !== undefined ? { tenantId, token } : { tenantId, accessKey: ak!, secretKey: sk! };
}

function signingTimeOf(capture: Capture): number {
  const ts = header(capture.headers, 'tenant-ts');
  if (ts) return Number(ts) * 1000;
  const x = header(capture.headers, 'x-date')!;
  return Date.UTC(
    +x.slice(0, 4),
    +x.slice(4, 6) - 1,
    +x.slice(6, 8),
    +x.slice(9, 11),
    +x.slice(11, 13),
    +x.slice(13, 15),
  );
}

function requestOf(capture: Capture): VerifiableRequest {
  return {
    method: capture.method,
    path: capture.path,
    headers: { ...capture.headers },
    body: new Uint8Array(Buffer.from(capture.body_b64, 'base64')),
  };
}

function verifierFor(capture: Capture, overrides: { now?: number; creds?: ByteAirCredentials } = {}) {
  const creds = overrides.creds ?? credentialsOf(capture);
  return {
    lookup: (tenantId: string) => (tenantId === creds.tenantId ? creds : undefined),
    now: overrides.now ?? signingTimeOf(capture),
  };
}

/** Every header whose bytes the capture's signature covers. */
function signedHeaderNames(capture: Capture): string[] {
  if (capture.auth_mode === 'air') return ['Tenant-Id', 'Tenant-Ts', 'Tenant-Nonce'];
  const list = /SignedHeaders=([^,]+)/.exec(header(capture.headers, 'authorization')!)![1];
  return list.split(';').map((lower) => Object.keys(capture.headers).find((key) => key.toLowerCase() === lower)!);
}

function flipByte(text: string, index: number): string {
  const bytes = Buffer.from(text);
  bytes[index] ^= 0x01;
  return bytes.toString('latin1');
}

describe.each(captures.map((capture) => [`${capture.kind} (${capture.auth_mode})`, capture] as const))(
  'official SDK capture: %s',
  (_name, capture) => {
    it('signs the same inputs into byte-identical auth headers', () => {
      const headers = Object.fromEntries(
        Object.entries(capture.headers).filter(([name]) => !AUTH_HEADERS.includes(name.toLowerCase())),
      );
      const signed = signByteAirRequest(credentialsOf(capture), {
        method: capture.method,
        path: capture.path,
        headers,
        body: requestOf(capture).body,
        now: signingTimeOf(capture),
        nonce: header(capture.headers, 'tenant-nonce'),
      });
      const expectedNames = AUTH_HEADERS.filter((name) => header(capture.headers, name) !== undefined);
      expect(
        Object.keys(signed)
          .map((name) => name.toLowerCase())
          .sort(),
      ).toEqual(expectedNames.sort());
      for (const [name, value] of Object.entries(signed)) expect(value).toBe(header(capture.headers, name));
    });

    it('is accepted with the clock at its signing time and at the edges of the skew window', () => {
      const t = signingTimeOf(capture);
      const mode = capture.auth_mode === 'air' ? 'air' : 'aksk';
      for (const now of [t, t + 300_000, t - 300_000]) {
        expect(verifyByteAirRequest(requestOf(capture), verifierFor(capture, { now }))).toEqual({
          ok: true,
          tenantId: capture.credentials.tenant_id,
          mode,
        });
      }
    });

    it('is rejected when the clock is beyond the skew window', () => {
      const t = signingTimeOf(capture);
      for (const now of [t + 301_000, t - 301_000, t + 86_400_000]) {
        const result = verifyByteAirRequest(requestOf(capture), verifierFor(capture, { now }));
        expect(result).toMatchObject({ ok: false, reason: 'clock-skew' });
      }
      const narrow = { ...verifierFor(capture, { now: t + 11_000 }), skewSeconds: 10 };
      expect(verifyByteAirRequest(requestOf(capture), narrow)).toMatchObject({ ok: false, reason: 'clock-skew' });
    });

    it('is rejected when any single body byte changes', () => {
      const request = requestOf(capture);
      for (let i = 0; i < request.body.length; i++) {
        const body = request.body.slice();
        body[i] ^= 0x01;
        const result = verifyByteAirRequest({ ...request, body }, verifierFor(capture));
        expect(result, `body byte ${i}`).toMatchObject({ ok: false, reason: 'bad-signature' });
      }
    });

    it('is rejected when any single path byte changes, or the method', () => {
      const request = requestOf(capture);
      for (let i = 0; i < capture.path.length; i++) {
        const path = flipByte(capture.path, i);
        const result = verifyByteAirRequest({ ...request, path }, verifierFor(capture));
        // Air auth does not sign the path (a vendor fact); only AK/SK must notice.
        if (capture.auth_mode === 'ak') expect(result, `path byte ${i}`).toMatchObject({ ok: false });
        else expect(result.ok).toBe(true);
      }
      const method = verifyByteAirRequest({ ...request, method: 'PUT' }, verifierFor(capture));
      expect(method.ok).toBe(capture.auth_mode === 'air');
    });

    it('is rejected when any single byte of a signed header changes', () => {
      const request = requestOf(capture);
      for (const name of signedHeaderNames(capture)) {
        const value = capture.headers[name];
        for (let i = 0; i < value.length; i++) {
          const headers = { ...request.headers, [name]: flipByte(value, i) };
          const result = verifyByteAirRequest({ ...request, headers }, verifierFor(capture));
          expect(result.ok, `${name} byte ${i}`).toBe(false);
        }
      }
    });

    it('accepts header names in any case', () => {
      const request = requestOf(capture);
      const upper = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
      expect(verifyByteAirRequest({ ...request, headers: upper }, verifierFor(capture)).ok).toBe(true);
    });

    it('is rejected under a wrong key', () => {
      const creds = credentialsOf(capture);
      const wrong: ByteAirCredentials[] =
        'token' in creds
          ? [{ ...creds, token: `${creds.token}x` }]
          : [
              { ...creds, secretKey: `${creds.secretKey}x` },
              { ...creds, accessKey: `${creds.accessKey}x` },
            ];
      const reasons = wrong.map((c) => {
        const result = verifyByteAirRequest(requestOf(capture), verifierFor(capture, { creds: c }));
        return result.ok ? 'ok' : result.reason;
      });
      expect(reasons).toEqual('token' in creds ? ['bad-signature'] : ['bad-signature', 'unknown-key']);
    });

    it('is rejected for an unknown tenant and when an auth header is missing', () => {
      const request = requestOf(capture);
      const noTenant = { ...verifierFor(capture), lookup: () => undefined };
      expect(verifyByteAirRequest(request, noTenant)).toMatchObject({ ok: false, reason: 'unknown-tenant' });
      const authNames = Object.keys(capture.headers).filter((n) => AUTH_HEADERS.includes(n.toLowerCase()));
      for (const name of [...authNames, 'Tenant-Id']) {
        const headers = { ...request.headers, [name]: undefined };
        const result = verifyByteAirRequest({ ...request, headers }, verifierFor(capture));
        expect(result, name).toMatchObject({ ok: false, reason: 'missing-header' });
      }
    });
  },
);

describe('air-auth nonce replay', () => {
  const capture = captures.find((c) => c.auth_mode === 'air')!;

  it('accepts a nonce once and rejects its replay', () => {
    const seen = new Set<string>();
    const opts = {
      ...verifierFor(capture),
      nonceSeen: (tenantId: string, nonce: string) =>
        seen.has(`${tenantId}/${nonce}`) || !seen.add(`${tenantId}/${nonce}`),
    };
    expect(verifyByteAirRequest(requestOf(capture), opts).ok).toBe(true);
    expect(verifyByteAirRequest(requestOf(capture), opts)).toMatchObject({ ok: false, reason: 'replayed-nonce' });
  });

  it('does not record nonces of forged requests', () => {
    const recorded: string[] = [];
    const opts = { ...verifierFor(capture), nonceSeen: (_t: string, nonce: string) => !recorded.push(nonce) };
    const forged = { ...requestOf(capture), body: new Uint8Array([1, 2, 3]) };
    expect(verifyByteAirRequest(forged, opts)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(recorded).toEqual([]);
  });
});

describe('malformed auth headers', () => {
  const ak = captures.find((c) => c.auth_mode === 'ak')!;
  const air = captures.find((c) => c.auth_mode === 'air')!;

  it.each([
    [air, 'Tenant-Ts', 'soon'],
    [air, 'Tenant-Signature', 'zz'],
    [air, 'Tenant-Nonce', 'has space'],
    [ak, 'Authorization', 'Bearer abc'],
    [ak, 'x-date', '2026-11-23T16:33:40Z'],
    [ak, 'x-date', '20261131T163340Z'],
  ])('%#: rejects %s = %j as malformed', (capture, name, value) => {
    const request = requestOf(capture);
    const result = verifyByteAirRequest(
      { ...request, headers: { ...request.headers, [name]: value } },
      verifierFor(capture),
    );
    expect(result).toMatchObject({ ok: false, reason: 'malformed-header' });
  });

  it('rejects an AK/SK signature that leaves out a header it must cover', () => {
    const request = requestOf(ak);
    const authorization = header(ak.headers, 'authorization')!.replace('content-type;', '');
    const result = verifyByteAirRequest(
      { ...request, headers: { ...request.headers, Authorization: authorization } },
      verifierFor(ak),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'bad-signature',
      message: expect.stringContaining('content-type'),
    });
  });
});

describe('sign then verify', () => {
  const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ''));

  it('verifies whatever it signs, in both modes, with any query and extra x- headers of any token name', () => {
    const path = fc
      .array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/), { minLength: 1, maxLength: 4 })
      .map((segments) => `/${segments.join('/')}`);
    const query = fc
      .array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 3 })
      .map((pairs) => new URLSearchParams(pairs).toString());
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        path,
        query,
        // Any HTTP token can name a header: `x-a+b`, `x-a~b'c`, `x-a|b` are signed and verified like `x-ab`.
        fc.dictionary(fc.stringMatching(/^x-[!#$%&'*+.^_`|~0-9a-z-]{1,8}$/), headerValue, { maxKeys: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (body, path, query, extra, useToken, seconds) => {
          const creds: ByteAirCredentials = useToken
            ? { tenantId: 't', token: 'secret' }
            : { tenantId: 't', accessKey: 'AK', secretKey: 'SK', region: 'cn-north-1' };
          const now = seconds * 1000;
          const headers = {
            Host: 'example.test',
            'Content-Type': 'application/x-protobuf',
            'Tenant-Id': 't',
            ...extra,
          };
          const signed = signByteAirRequest(creds, { method: 'POST', path, query, headers, body, now });
          const result = verifyByteAirRequest(
            { method: 'POST', path, query, headers: { ...headers, ...signed }, body },
            { lookup: () => creds, now },
          );
          expect(result).toEqual({ ok: true, tenantId: 't', mode: useToken ? 'air' : 'aksk' });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('defaults the air nonce to 8 fresh alphanumerics', () => {
    const input = { method: 'POST', path: '/', headers: {}, body: new Uint8Array() };
    const nonces = new Set(Array.from({ length: 50 }, () => signAirAuth('t', 'x', input)['Tenant-Nonce']));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9]{8}$/);
  });

  it('refuses to sign AK/SK without Host', () => {
    const input = { method: 'POST', path: '/', headers: {}, body: new Uint8Array() };
    expect(() => signAkSk({ accessKey: 'a', secretKey: 'b' }, input)).toThrow(/Host/);
  });

  it('signs a query given inside the path as if given apart', () => {
    const creds = { accessKey: 'AK', secretKey: 'SK' };
    const base = { method: 'POST', headers: { Host: 'h' }, body: new Uint8Array([1]), now: 0 };
    const apart = signAkSk(creds, { ...base, path: '/data/api/a/done', query: 'topic=t' });
    expect(signAkSk(creds, { ...base, path: '/data/api/a/done?topic=t' })).toEqual(apart);
    expect(signAkSk(creds, { ...base, path: '/data/api/a/done' })).not.toEqual(apart);
    const request = {
      method: 'POST',
      path: '/data/api/a/done?topic=t',
      headers: { ...base.headers, ...apart, 'Tenant-Id': 'x' },
      body: base.body,
    };
    expect(verifyByteAirRequest(request, { lookup: () => ({ tenantId: 'x', ...creds }), now: 0 }).ok).toBe(true);
  });

  it('canonicalises the query: sorted by name, strict percent-encoding, values of one name in order', () => {
    expect(canonicalQuery("topic=b c&method=write&a=2&a=1&x=*'!()")).toBe(
      'a=2&a=1&method=write&topic=b%20c&x=%2A%27%21%28%29',
    );
    expect(canonicalQuery('')).toBe('');
  });

  it('formats X-Date per second, whatever time was formatted just before', () => {
    const times = fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(times, (list) => {
        for (const ms of list) {
          const expected = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]|\.000/g, '');
          expect(formatXDate(ms)).toBe(expected);
          expect(formatXDate(ms - (ms % 1000) + 999)).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('signs as the textbook Volcengine steps with createHmac do, for any headers, query, region and body', () => {
    // The reference: each step of the algorithm written out plainly, HMACs through createHmac.
    const reference = (
      creds: { accessKey: string; secretKey: string; region: string },
      input: { method: string; path: string; query: string; headers: Record<string, string>; body: Uint8Array },
      now: number,
    ) => {
      const xDate = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(/[-:]|\.000/g, '');
      const payloadHash = createHash('sha256').update(input.body).digest('hex');
      const signed = new Map<string, string>();
      for (const [name, value] of Object.entries(input.headers)) {
        const lower = name.toLowerCase();
        if (lower === 'host' || lower === 'content-type' || lower === 'date' || lower.startsWith('x-')) {
          signed.set(lower, value);
        }
      }
      signed.set('x-date', xDate);
      signed.set('x-content-sha256', payloadHash);
      const names = [...signed.keys()].sort();
      const canonical = [
        input.method,
        input.path,
        canonicalQuery(input.query),
        names.map((name) => `${name}:${signed.get(name)!.trim()}\n`).join(''),
        names.join(';'),
        payloadHash,
      ].join('\n');
      const scope = `${xDate.slice(0, 8)}/${creds.region}/air/request`;
      const toSign = ['HMAC-SHA256', xDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
      let key: Buffer = createHmac('sha256', creds.secretKey).update(xDate.slice(0, 8)).digest();
      for (const part of [creds.region, 'air', 'request']) key = createHmac('sha256', key).update(part).digest();
      const signature = createHmac('sha256', key).update(toSign).digest('hex');
      return {
        'X-Date': xDate,
        'X-Content-Sha256': payloadHash,
        Authorization: `HMAC-SHA256 Credential=${creds.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      };
    };
    const headerName = fc.oneof(
      fc.constantFrom('Host', 'Content-Type', 'Date', 'X-Custom', 'x-trace', 'Request-Id', 'Accept', 'Tenant-Id'),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/),
    );
    const input = fc.record({
      headers: fc.dictionary(headerName, fc.string({ maxLength: 40 }), { maxKeys: 8 }),
      host: fc.string({ minLength: 1, maxLength: 30 }),
      path: fc.stringMatching(/^\/[a-z0-9/_-]{0,40}$/),
      query: fc.constantFrom('', 'method=write', 'topic=t&a=1'),
      body: fc.uint8Array({ maxLength: 300 }),
      // Long regions take the HMAC past its preallocated message room.
      region: fc.oneof(
        fc.constantFrom('placeholder', 'cn-north-1', 'r'.repeat(420), '区'.repeat(300)),
        fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }),
      ),
      secretKey: fc.string({ minLength: 1, maxLength: 100 }),
      now: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    });
    fc.assert(
      fc.property(input, ({ headers, host, path, query, body, region, secretKey, now }) => {
        const all = Object.fromEntries([
          ...Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'host'),
          ['Host', host],
        ]);
        const creds = { accessKey: 'AK', secretKey, region };
        const request = { method: 'POST', path, query, headers: all, body };
        expect(signAkSk(creds, { ...request, now })).toEqual(reference(creds, request, now));
      }),
      { numRuns: 300 },
    );
  });

  it('signs only host, content-type, date and x-* headers, replacing a caller-given X-Date', () => {
    const creds = { accessKey: 'ak', secretKey: 'sk' };
    const base = { method: 'POST', path: '/p', body: new Uint8Array([1]), now: 0 };
    const plain = signAkSk(creds, { ...base, headers: { Host: 'h', 'Content-Type': 't', 'Request-Id': 'r1' } });
    const extra = signAkSk(creds, {
      ...base,
      headers: { host: 'h', 'content-type': 't', 'Request-Id': 'r2', Accept: '*/*', 'X-Date': 'stale' },
    });
    expect(extra).toEqual(plain);
    expect(plain.Authorization).toContain('SignedHeaders=content-type;host;x-content-sha256;x-date,');
    const custom = signAkSk(creds, { ...base, headers: { Host: 'h', 'X-Custom': 'v' } });
    expect(custom.Authorization).toContain('SignedHeaders=host;x-content-sha256;x-custom;x-date,');
  });
});
