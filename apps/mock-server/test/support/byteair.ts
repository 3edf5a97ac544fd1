import { type ByteAirCredentials, gzipBody, signByteAirRequest } from '@insight/protocol';
import { request } from 'undici';
import { createMockServer, type MockServer, type MockServerOptions } from '../../src/index.js';

/** The tenants every ByteAir test server accepts. */
export const AIR_TENANT = { tenantId: 'tenant-air', token: 'token-air' } as const;
/** A tenant that signs with AK/SK. */
export const AKSK_TENANT = { tenantId: 'tenant-ak', accessKey: 'AK-test', secretKey: 'SK-test' } as const;

/** A ByteAir call, signed like the official SDK signs it. */
export interface ByteAirCall {
  /** Path with its query string, e.g. `/data/api/app/item?method=write`. */
  path: string;
  /** Body before gzip. */
  body: Uint8Array;
  credentials?: ByteAirCredentials;
  contentType?: string;
  requestId?: string;
  /** Signing time in ms. @default Date.now() */
  now?: number;
  nonce?: string;
  headers?: Record<string, string>;
  /** Replaces the gzipped body after signing (to send bytes the signature does not cover). */
  tamper?: (gzipped: Uint8Array) => Uint8Array;
  /** Sends these bytes as they are, signed, without gzip. */
  raw?: boolean;
}

/** Signs and sends a ByteAir call; returns status, headers and body bytes. */
export async function callByteAir(baseUrl: string, call: ByteAirCall) {
  const url = new URL(call.path, baseUrl);
  const body = call.raw ? call.body : gzipBody(call.body);
  const credentials = call.credentials ?? AIR_TENANT;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': call.contentType ?? 'application/x-protobuf',
    'tenant-id': credentials.tenantId,
    ...(call.raw ? {} : { 'content-encoding': 'gzip' }),
    ...(call.requestId === undefined ? {} : { 'request-id': call.requestId }),
    ...call.headers,
  };
  const auth = signByteAirRequest(credentials, {
    method: 'POST',
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body,
    now: call.now,
    nonce: call.nonce,
  });
  const sent = call.tamper ? call.tamper(body) : body;
  const response = await request(url, { method: 'POST', headers: { ...headers, ...auth }, body: sent });
  const bytes = new Uint8Array(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body: bytes };
}

/** Content Insight options that keep a ByteAir test server light: no corpus, no firehose. */
export const QUIET_INSIGHT = { corpus: { size: 0 }, firehoseRate: 0 } as const;

/** Starts an emulator for ByteAir tests: both test tenants, a 30-item synthetic pool, a quiet Content Insight side. */
export function startByteAir(options: MockServerOptions = {}): Promise<MockServer> {
  return createMockServer({
    insight: QUIET_INSIGHT,
    tenants: [AIR_TENANT, AKSK_TENANT],
    byteair: { syntheticPoolSize: 30 },
    ...options,
  });
}

/** Adds a fault rule through the control plane (`POST /_insight/faults`), which validates it. */
export async function addFault(server: MockServer, rule: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${server.url}/_insight/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  if (response.status >= 300) throw new Error(`fault rule refused (${response.status}): ${await response.text()}`);
}

/** The ByteAir module's `/_insight/state`, typed by the caller with the fields it reads. */
export async function byteAirState<T>(server: MockServer): Promise<T> {
  const response = await fetch(`${server.url}/_insight/state?module=byteair`);
  return ((await response.json()) as { modules: { byteair: T } }).modules.byteair;
}
