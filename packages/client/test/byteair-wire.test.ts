/**
 * The client against the official Python SDK's captured requests (fixtures/byteair/official-sdk-requests.json): with the
 * same clock, nonce and request id, it must send the same path, the same headers and a body carrying the same bytes.
 *
 * Documented differences, none of them semantic:
 * - `User-Agent`, `Connection` and `Content-Length` are transport details of python-requests; undici sends its own
 *   `connection: keep-alive`, no user agent, and the length of our body.
 * - Header names are compared case-insensitively (RFC 9110 §5.1); values byte for byte.
 * - The gzip container differs: Python stamps the send time into the gzip header and uses zlib 1.2.13, Node's zlib fork
 *   may choose different (equally valid) deflate blocks. The client's gzip is deterministic (mtime 0), so retries send
 *   identical bytes; the body must gunzip to the captured message byte for byte, and the signature headers must sign
 *   the bytes actually sent (same `Tenant-Ts`/`Tenant-Nonce`/`X-Date`, same credential scope and signed headers).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CallbackRequest, PredictRequest, verifyByteAirRequest } from '@insight/protocol';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ByteAirAuth, type ByteAirCallOptions, createByteAirClient } from '../src/index.js';
import { type LocalServer, reply, startServer } from './support/local-server.js';

/** Nonce characters to hand out, as indexes into the 62-letter nonce alphabet. */
const nonceQueue: number[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    randomInt: (...args: Parameters<typeof crypto.randomInt>) =>
      nonceQueue.length > 0 ? nonceQueue.shift()! : (crypto.randomInt as (max: number) => number)(args[0] as number),
  };
});
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

interface Capture {
  method: string;
  path: string;
  headers: Record<string, string>;
  body_b64: string;
  auth_mode: 'air' | 'ak';
  credentials: { tenant_id: string; token?: string; ak?: string; sk?: string };
  kind: 'callback' | 'predict';
  message_b64: string;
}

const { captures } = JSON.parse(
  readFileSync(new URL('../../../fixtures/byteair/official-sdk-requests.json', import.meta.url), 'utf8'),
) as { captures: Capture[] };

const TRANSPORT_HEADERS = new Set(['user-agent', 'connection', 'content-length']);

let server: LocalServer;
beforeAll(async () => {
  server = await startServer((_req, res) => reply(res, 200, Buffer.from([0x08, 0x00])));
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

function signingTime(capture: Capture): number {
  if (capture.auth_mode === 'air') return Number(capture.headers['Tenant-Ts']) * 1000;
  const d = capture.headers['x-date']!;
  return Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
}

describe.each(captures.map((c) => [`${c.kind} (${c.auth_mode})`, c] as const))('official capture: %s', (_, capture) => {
  it('is reproduced by the client', async () => {
    const capturedHost = capture.headers.Host!;
    // The captured Host (with the recorder's port) is signed in AK/SK mode: keep it in the URL and route the
    // connection to the local server through the injected dispatcher.
    const dispatcher = new Agent({
      connect: (_options, callback) => {
        const socket = connect(Number(server.host.split(':')[1]), '127.0.0.1');
        socket.once('connect', () => callback(null, socket));
        socket.once('error', (error) => callback(error, null));
      },
    });
    const { credentials } = capture;
    const auth: ByteAirAuth =
      capture.auth_mode === 'air'
        ? { token: credentials.token! }
        : { accessKey: credentials.ak!, secretKey: credentials.sk! };
    const client = createByteAirClient({
      tenantId: credentials.tenant_id,
      applicationId: capture.path.split('/')[3]!,
      hosts: [capturedHost],
      scheme: 'http',
      auth,
      dispatcher,
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(signingTime(capture));
    if (capture.auth_mode === 'air')
      nonceQueue.push(...[...capture.headers['Tenant-Nonce']!].map((c) => NONCE_ALPHABET.indexOf(c)));
    const message = Buffer.from(capture.message_b64, 'base64');
    const spmRoute = capture.headers['Enable-Spm-Route'];
    const options: ByteAirCallOptions = {
      requestId: capture.headers['Request-Id']!,
      headers: spmRoute === undefined ? {} : { 'Enable-Spm-Route': spmRoute },
    };
    const before = server.received.length;
    if (capture.kind === 'callback') await client.callback(CallbackRequest.decode(message), options);
    else await client.predict(PredictRequest.decode(message), { ...options, scene: capture.path.split('/')[4] });
    await client.close();
    await dispatcher.close();
    const sent = server.received[before]!;

    expect(sent.method).toBe(capture.method);
    expect(sent.url).toBe(capture.path);

    const expected = Object.entries(capture.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase()));
    const received = new Map<string, string>();
    for (let i = 0; i < sent.rawHeaders.length; i += 2)
      received.set(sent.rawHeaders[i]!.toLowerCase(), sent.rawHeaders[i + 1]!);
    for (const name of TRANSPORT_HEADERS) received.delete(name);
    expect([...received.keys()].sort()).toEqual(expected.map(([name]) => name.toLowerCase()).sort());

    const signature = new Set(['tenant-signature', 'x-content-sha256', 'authorization']);
    for (const [name, value] of expected) {
      if (!signature.has(name.toLowerCase())) expect([name, received.get(name.toLowerCase())]).toEqual([name, value]);
    }

    // Same message bytes inside the gzip container.
    expect(gunzipSync(sent.body).equals(message)).toBe(true);

    // The signature headers sign the bytes actually sent, with the captured time, nonce, scope and header set.
    if (capture.auth_mode === 'air') {
      const { tenant_id, token } = credentials;
      const ts = capture.headers['Tenant-Ts']!;
      const nonce = capture.headers['Tenant-Nonce']!;
      // hex(sha256(token ‖ body ‖ tenantId ‖ ts ‖ nonce))
      const signature = createHash('sha256')
        .update(token!)
        .update(sent.body)
        .update(tenant_id)
        .update(ts)
        .update(nonce);
      expect(received.get('tenant-signature')).toBe(signature.digest('hex'));
    } else {
      expect(received.get('x-content-sha256')).toBe(createHash('sha256').update(sent.body).digest('hex'));
      const withoutSignature = (value: string) => value.replace(/Signature=[0-9a-f]{64}$/, '');
      expect(withoutSignature(received.get('authorization')!)).toBe(withoutSignature(capture.headers.Authorization!));
    }
    const lookup = () =>
      capture.auth_mode === 'air'
        ? { tenantId: credentials.tenant_id, token: credentials.token! }
        : { tenantId: credentials.tenant_id, accessKey: credentials.ak!, secretKey: credentials.sk! };
    const verdict = verifyByteAirRequest(
      { method: sent.method, path: capture.path, headers: sent.headers, body: sent.body },
      { lookup, now: signingTime(capture) },
    );
    expect(verdict).toMatchObject({ ok: true });
  });
});

describe('request body determinism', () => {
  it('gzips the same message to the same bytes every time', async () => {
    const client = createByteAirClient({
      tenantId: 't',
      applicationId: 'app-1',
      hosts: [server.host],
      scheme: 'http',
      auth: { token: 'x' },
    });
    const message = CallbackRequest.decode(Buffer.from(captures[0]!.message_b64, 'base64'));
    const before = server.received.length;
    await client.callback(message);
    await client.callback(message);
    await client.close();
    const [a, b] = server.received.slice(before);
    expect(a!.body.equals(b!.body)).toBe(true);
    // mtime 0 in the gzip header: nothing time-dependent in the bytes.
    expect(a!.body.subarray(4, 8).readUInt32LE()).toBe(0);
  });
});
