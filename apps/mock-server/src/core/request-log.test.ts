import { REDACTED } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { createRequestLog, type RequestRecord, redactHeaders } from './request-log.js';

const record = (seq: number, over: Partial<RequestRecord> = {}): RequestRecord => ({
  seq,
  time: new Date(0).toISOString(),
  method: 'GET',
  path: `/p/${seq}`,
  query: '',
  status: 200,
  requestId: `r${seq}`,
  module: 'm',
  latencyMs: 1,
  headers: {},
  ...over,
});

describe('request log', () => {
  it('keeps the last `capacity` records, oldest first', () => {
    const log = createRequestLog(3);
    for (let i = 1; i <= 7; i++) log.add(record(i));
    expect(log.list().map((r) => r.seq)).toEqual([5, 6, 7]);
    log.clear();
    expect(log.list()).toEqual([]);
  });

  it('filters by path glob, method (any case), status, and keeps the most recent `limit`', () => {
    const log = createRequestLog(10);
    log.add(record(1, { method: 'POST', path: '/a/x', status: 200 }));
    log.add(record(2, { method: 'GET', path: '/a/y', status: 404 }));
    log.add(record(3, { method: 'POST', path: '/b', status: 200 }));
    expect(log.list({ path: '/a/*' }).map((r) => r.seq)).toEqual([1, 2]);
    expect(log.list({ method: 'post' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(log.list({ status: 404 }).map((r) => r.seq)).toEqual([2]);
    expect(log.list({ limit: 2 }).map((r) => r.seq)).toEqual([2, 3]);
  });

  it('redacts the credentials of both services', () => {
    expect(
      redactHeaders({
        authorization: 'HMAC…',
        'tenant-signature': 'abc',
        'x-insight-access-token': 't',
        'x-insight-biz-secret': 's',
        cookie: 'a=b',
        'tenant-id': 'x',
        'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
      }),
    ).toEqual({
      authorization: REDACTED,
      'tenant-signature': REDACTED,
      'x-insight-access-token': REDACTED,
      'x-insight-biz-secret': REDACTED,
      cookie: REDACTED,
      'tenant-id': 'x',
      'x-forwarded-for': '10.0.0.1, 10.0.0.2',
    });
    expect(REDACTED).toBe('[REDACTED]');
  });
});
