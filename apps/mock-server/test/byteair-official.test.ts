import { readFileSync } from 'node:fs';
import { CallbackResponse, PredictResponse } from '@insight/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_INSIGHT } from './support/byteair.js';
import { createManualClock, createMockServer, type MockServer } from '../src/index.js';

interface Capture {
  kind: 'callback' | 'predict';
  auth_mode: 'air' | 'ak';
  path: string;
  headers: Record<string, string>;
  body_b64: string;
  credentials: { tenant_id: string; token?: string; ak?: string; sk?: string };
}

const { captures } = JSON.parse(
  readFileSync(new URL('../../../fixtures/byteair/official-sdk-requests.json', import.meta.url), 'utf8'),
) as { captures: Capture[] };

/** The capture's signing time, from the header its auth mode signs. */
function captureTime(capture: Capture): number {
  if (capture.headers['Tenant-Ts']) return Number(capture.headers['Tenant-Ts']) * 1000;
  const x = capture.headers['x-date'] as string;
  return Date.UTC(
    +x.slice(0, 4),
    +x.slice(4, 6) - 1,
    +x.slice(6, 8),
    +x.slice(9, 11),
    +x.slice(11, 13),
    +x.slice(13, 15),
  );
}

/** Replays a capture byte for byte, Host header included (it is signed in AK/SK mode). */
async function replay(server: MockServer, capture: Capture, change?: (body: Buffer) => Buffer) {
  const { 'Content-Length': _length, Connection: _connection, ...headers } = capture.headers;
  const original = Buffer.from(capture.body_b64, 'base64');
  const response = await request(`${server.url}${capture.path}`, {
    method: 'POST',
    headers,
    body: change ? change(original) : original,
  });
  return { status: response.statusCode, body: new Uint8Array(await response.body.arrayBuffer()) };
}

describe('requests captured from the official Python SDK', () => {
  const clock = createManualClock(0);
  let server: MockServer;

  beforeAll(async () => {
    const credentials = captures[0]?.credentials;
    const ak = captures.find((c) => c.auth_mode === 'ak')?.credentials;
    server = await createMockServer({
      insight: QUIET_INSIGHT,
      clock,
      tenants: [{ tenantId: 'tenant-1', token: credentials?.token, accessKey: ak?.ak, secretKey: ak?.sk }],
    });
  });
  afterAll(() => server.close());

  it('holds the four captures (two calls, two auth modes)', () => {
    expect(captures.map((c) => `${c.kind}/${c.auth_mode}`).sort()).toEqual([
      'callback/air',
      'callback/ak',
      'predict/air',
      'predict/ak',
    ]);
  });

  for (const capture of captures) {
    it(`accepts the ${capture.kind} call signed in ${capture.auth_mode} mode, and refuses it with one body byte changed`, async () => {
      server.reset();
      clock.set(captureTime(capture));
      const flipped = await replay(server, capture, (body) => {
        const copy = Buffer.from(body);
        copy[copy.length - 9] = (copy[copy.length - 9] as number) ^ 0x01;
        return copy;
      });
      expect(flipped.status).toBe(401);

      const { status, body } = await replay(server, capture);
      expect(status).toBe(200);
      if (capture.kind === 'callback') {
        expect(CallbackResponse.decode(body)).toMatchObject({ code: 0, success: true });
      } else {
        const response = PredictResponse.decode(body);
        expect(response).toMatchObject({ code: 0, success: true });
        expect(response.requestId).not.toBe('');
        expect(response.value?.items.length).toBeGreaterThan(0);
      }
    });
  }

  it('refuses a capture once the clock has moved past the skew window', async () => {
    server.reset();
    const capture = captures[0] as Capture;
    clock.set(captureTime(capture) + 301_000);
    const { status, body } = await replay(server, capture);
    expect(status).toBe(401);
    expect(CallbackResponse.decode(body)).toMatchObject({ code: 401, success: false });
    expect(CallbackResponse.decode(body).message).toMatch(/clock-skew/);
  });
});
