import { describe, expect, it } from 'vitest';
import { CREDENTIAL_HEADER, REDACTED, redactHeaders } from './headers.js';
import { BYTEAIR_ENDPOINTS, byteAirPaths, INSIGHT_ENDPOINTS, INSIGHT_PATHS } from './paths.js';

describe('ByteAir paths', () => {
  it('builds the documented paths, the query apart', () => {
    expect(byteAirPaths.predict('app-1')).toEqual({ path: '/predict/api/app-1/default', query: {} });
    expect(byteAirPaths.predict('app-1', 'home_feed')).toEqual({ path: '/predict/api/app-1/home_feed', query: {} });
    expect(byteAirPaths.callback('app-1')).toEqual({ path: '/predict/api/app-1/callback', query: {} });
    expect(byteAirPaths.writeData('app-1', 'item')).toEqual({
      path: '/data/api/app-1/item',
      query: { method: 'write' },
    });
    expect(byteAirPaths.done('app-1', 'item')).toEqual({ path: '/data/api/app-1/done', query: { topic: 'item' } });
    expect(BYTEAIR_ENDPOINTS.ping).toEqual({ method: 'GET', path: '/predict/api/ping' });
  });

  it('escapes path segments, leaves query values for the sender to encode, and refuses empty values', () => {
    expect(byteAirPaths.predict('a/b', 'x y').path).toBe('/predict/api/a%2Fb/x%20y');
    expect(byteAirPaths.done('a', 'u&v').query).toEqual({ topic: 'u&v' });
    expect(() => byteAirPaths.callback('')).toThrow(/app must not be empty/);
    expect(() => byteAirPaths.writeData('a', '')).toThrow(/topic must not be empty/);
    expect(() => byteAirPaths.done('a', '')).toThrow(/topic must not be empty/);
  });

  it('has one POST pattern per call and no two patterns of one method alike', () => {
    const endpoints = Object.values(BYTEAIR_ENDPOINTS);
    const shapes = endpoints.map((e) => `${e.method} ${e.path.replace(/:\w+/g, ':')}`);
    expect(new Set(shapes).size).toBe(shapes.length);
    for (const { method, path } of endpoints) {
      expect(method === 'POST' || path === BYTEAIR_ENDPOINTS.ping.path).toBe(true);
      expect(path).toMatch(/^\/(predict|data)\/api\/[a-z:/]+$/);
    }
  });
});

describe('header redaction', () => {
  it('replaces the credentials of both services, in any letter case, and flattens the rest', () => {
    expect(
      redactHeaders({
        Authorization: 'HMAC-SHA256 Credential=…',
        'tenant-signature': 'abc',
        'X-Insight-Biz-Secret': 's',
        'x-insight-access-token': 't',
        Cookie: 'a=b',
        'set-cookie': ['a=b', 'c=d'],
        'proxy-authorization': 'Basic x',
        'Tenant-Id': 'tenant-1',
        'Tenant-Ts': '1700000000',
        'accept-encoding': ['gzip', 'br'],
        absent: undefined,
      }),
    ).toEqual({
      Authorization: REDACTED,
      'tenant-signature': REDACTED,
      'X-Insight-Biz-Secret': REDACTED,
      'x-insight-access-token': REDACTED,
      Cookie: REDACTED,
      'set-cookie': REDACTED,
      'proxy-authorization': REDACTED,
      'Tenant-Id': 'tenant-1',
      'Tenant-Ts': '1700000000',
      'accept-encoding': 'gzip, br',
    });
    expect(REDACTED).toBe('[REDACTED]');
    for (const name of ['Tenant-Nonce', 'Request-Id', 'X-Date', 'X-Content-Sha256', 'X-Insight-Biz-Name']) {
      expect(CREDENTIAL_HEADER.test(name)).toBe(false);
    }
  });
});

describe('Content Insight endpoints', () => {
  it('exposes each path by name, unique and rooted', () => {
    const paths = Object.values(INSIGHT_PATHS);
    expect(new Set(paths).size).toBe(paths.length);
    for (const [name, path] of Object.entries(INSIGHT_PATHS)) {
      expect(path).toBe(INSIGHT_ENDPOINTS[name as keyof typeof INSIGHT_ENDPOINTS].path);
      expect(path).toMatch(/^\/(oauth|openapi)\/[a-z_/]+$/);
    }
  });

  it('carries the documented QPS limits', () => {
    const qps = Object.fromEntries(
      Object.entries(INSIGHT_ENDPOINTS).flatMap(([name, e]) => ('qps' in e ? [[name, e.qps]] : [])),
    );
    expect(qps).toEqual({
      accessToken: 5,
      realtimeCreate: 5,
      realtimeUpdate: 5,
      sensitiveWordsCheck: 10,
      search: 20,
      realtimeStream: 200,
      backtrackStream: 50,
    });
  });
});
