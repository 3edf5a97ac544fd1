import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('applies defaults', () => {
    const options = resolveOptions({});
    expect(options).toMatchObject({ host: '127.0.0.1', port: 0, dataDir: ':memory:', tenants: [DEFAULT_TENANT] });
    expect(options.byteair).toEqual({ clockSkewSeconds: 300, nonceWindowSeconds: 300, syntheticPoolSize: 200 });
  });

  it.each([
    [{ port: 70000 }, /port/],
    [{ tenants: [{ tenantId: 't' }] }, /tenants\.0: a tenant needs a token/],
    [{ tenants: [{ tenantId: 't', accessKey: 'a' }] }, /tenants\.0: accessKey and secretKey go together/],
    [
      {
        tenants: [
          { tenantId: 't', token: 'x' },
          { tenantId: 't', token: 'y' },
        ],
      },
      /tenants: tenantId must be unique/,
    ],
    [{ byteair: { clockSkewSeconds: -1 } }, /byteair\.clockSkewSeconds/],
    [{ limits: { bodyBytes: 0 } }, /limits\.bodyBytes/],
    // zlib cannot honour an output cap beyond the largest Buffer: every gzipped body would be refused as corrupt.
    [{ limits: { decodedBodyBytes: 8 * 1024 ** 3 + 1 } }, /limits\.decodedBodyBytes/],
    [{ surprise: true }, /surprise/],
  ])('names the invalid option in %j', (options, pattern) => {
    expect(() => resolveOptions(options as never)).toThrow(pattern);
  });
});
