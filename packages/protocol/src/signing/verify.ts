import { timingSafeEqual } from 'node:crypto';
import { airAuthSignature } from './air-auth.js';
import { AKSK_ALGORITHM, akSkSignature, parseXDate, sha256Hex } from './ak-sk.js';
import type { ByteAirCredentials } from './types.js';

/** Why a request failed verification. */
export type VerifyFailure =
  | 'missing-header'
  | 'bad-signature'
  | 'clock-skew'
  | 'unknown-tenant'
  | 'unknown-key'
  | 'replayed-nonce'
  | 'malformed-header';

/** Outcome of {@link verifyByteAirRequest}. */
export type VerifyResult =
  | { ok: true; tenantId: string; mode: 'air' | 'aksk' }
  | { ok: false; reason: VerifyFailure; message: string };

/** A received request, as far as verification needs it. */
export interface VerifiableRequest {
  method: string;
  /** Request path as received; it may carry the query after `?` (Node's `req.url`). */
  path: string;
  /** Raw query string without the leading `?`. */
  query?: string;
  /** Headers as received, names in any case (Node's `IncomingHttpHeaders` fits). */
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, still gzipped. */
  body: Uint8Array;
}

/** How to verify: where credentials come from, the clock, and the replay store. */
export interface VerifyOptions {
  /** The credentials of a tenant; their kind decides which auth mode the tenant must use. */
  lookup(tenantId: string): ByteAirCredentials | undefined;
  /** Server time in ms since the Unix epoch. @default Date.now() */
  now?: number;
  /** Largest accepted distance between the signing time and `now`, in seconds. @default 300 */
  skewSeconds?: number;
  /**
   * Air auth only: returns true when this nonce was already seen for the tenant (a replay), and records it. Called only
   * for requests whose signature and time are valid, so forged requests cannot fill the store.
   */
  nonceSeen?(tenantId: string, nonce: string, tsSeconds: number): boolean;
}

/** Default clock-skew window, in seconds. */
export const DEFAULT_SKEW_SECONDS = 300;

const HEX_SIGNATURE = /^[0-9a-f]{64}$/;
const AUTHORIZATION =
  /^HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/air\/request,\s*SignedHeaders=([!#$%&'*+\-.^_`|~0-9a-z;]+),\s*Signature=([0-9a-f]{64})$/;
/** Headers an AK/SK signature must cover for the request's origin, time and body to be authenticated. */
const REQUIRED_SIGNED = ['host', 'x-date', 'x-content-sha256'];

class Rejection extends Error {
  constructor(
    readonly reason: VerifyFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Verifies the authentication of a ByteAir request, in the auth mode of the tenant named by its `Tenant-Id`.
 *
 * Air auth checks `Tenant-Signature`, the clock skew of `Tenant-Ts` and nonce replay. AK/SK checks the
 * `Authorization` signature over the headers it names (which must include `host`, `x-date`, `x-content-sha256` and,
 * when sent, `content-type`), the body hash and the clock skew of `X-Date`; it has no nonce, so replay protection is
 * the skew window and the `Request-Id` idempotency of the API. Signatures are compared in constant time.
 */
export function verifyByteAirRequest(req: VerifiableRequest, opts: VerifyOptions): VerifyResult {
  try {
    const headers = normalizeHeaders(req.headers);
    const tenantId = required(headers, 'tenant-id');
    const creds = opts.lookup(tenantId);
    if (!creds) throw new Rejection('unknown-tenant', `unknown tenant "${tenantId}"`);
    const clock = { now: opts.now ?? Date.now(), skewSeconds: opts.skewSeconds ?? DEFAULT_SKEW_SECONDS };
    if ('token' in creds) {
      verifyAir(req, headers, tenantId, creds.token, clock, opts.nonceSeen);
      return { ok: true, tenantId, mode: 'air' };
    }
    verifyAkSk(req, headers, creds, clock);
    return { ok: true, tenantId, mode: 'aksk' };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
}

type Clock = { now: number; skewSeconds: number };

function verifyAir(
  req: VerifiableRequest,
  headers: Map<string, string>,
  tenantId: string,
  token: string,
  clock: Clock,
  nonceSeen: VerifyOptions['nonceSeen'],
): void {
  const ts = required(headers, 'tenant-ts');
  const nonce = required(headers, 'tenant-nonce');
  const signature = required(headers, 'tenant-signature').toLowerCase();
  if (!/^\d{1,12}$/.test(ts)) throw new Rejection('malformed-header', 'Tenant-Ts must be Unix seconds');
  if (!/^[\x21-\x7e]{1,64}$/.test(nonce)) {
    throw new Rejection('malformed-header', 'Tenant-Nonce must be 1 to 64 printable ASCII characters');
  }
  if (!HEX_SIGNATURE.test(signature)) throw new Rejection('malformed-header', 'Tenant-Signature must be 64 hex digits');
  const tsSeconds = Number(ts);
  checkSkew(tsSeconds, clock, 'Tenant-Ts');
  const expected = airAuthSignature(token, req.body, tenantId, ts, nonce);
  if (!constantTimeEqual(expected, signature)) throw new Rejection('bad-signature', 'Tenant-Signature does not match');
  if (nonceSeen?.(tenantId, nonce, tsSeconds)) {
    throw new Rejection('replayed-nonce', `Tenant-Nonce "${nonce}" was already used`);
  }
}

function verifyAkSk(
  req: VerifiableRequest,
  headers: Map<string, string>,
  creds: { accessKey: string; secretKey: string },
  clock: Clock,
): void {
  const authorization = required(headers, 'authorization');
  const xDate = required(headers, 'x-date');
  const contentSha = required(headers, 'x-content-sha256').toLowerCase();
  const auth = AUTHORIZATION.exec(authorization);
  if (!auth) {
    throw new Rejection(
      'malformed-header',
      `Authorization must read "${AKSK_ALGORITHM} Credential={AK}/{yyyymmdd}/{region}/air/request, SignedHeaders=…, Signature={64 hex}"`,
    );
  }
  const [, accessKey, scopeDate, region, signedList, signature] = auth;
  const signingTime = parseXDate(xDate);
  if (signingTime === undefined) throw new Rejection('malformed-header', 'X-Date must be a valid YYYYMMDDTHHMMSSZ');
  if (scopeDate !== xDate.slice(0, 8)) throw new Rejection('malformed-header', 'credential scope date is not X-Date');
  if (!constantTimeEqual(creds.accessKey, accessKey))
    throw new Rejection('unknown-key', `unknown access key "${accessKey}"`);

  const signedHeaders = signedList.split(';');
  const mustSign = headers.has('content-type') ? [...REQUIRED_SIGNED, 'content-type'] : REQUIRED_SIGNED;
  const unsigned = mustSign.filter((name) => !signedHeaders.includes(name));
  if (unsigned.length > 0) throw new Rejection('bad-signature', `SignedHeaders must include ${unsigned.join(', ')}`);
  const absent = signedHeaders.filter((name) => !headers.has(name));
  if (absent.length > 0) throw new Rejection('missing-header', `signed header ${absent.join(', ')} is missing`);
  checkSkew(signingTime / 1000, clock, 'X-Date');

  const payloadHash = sha256Hex(req.body);
  if (!constantTimeEqual(payloadHash, contentSha))
    throw new Rejection('bad-signature', 'X-Content-Sha256 does not match the body');
  const expected = akSkSignature(creds.secretKey, {
    method: req.method,
    path: req.path,
    query: req.query ?? '',
    headers,
    signedHeaders,
    payloadHash,
    xDate,
    region,
  });
  if (!constantTimeEqual(expected, signature))
    throw new Rejection('bad-signature', 'Authorization signature does not match');
}

function checkSkew(signedSeconds: number, clock: Clock, header: string): void {
  const skew = Math.abs(clock.now / 1000 - signedSeconds);
  if (skew > clock.skewSeconds) {
    throw new Rejection(
      'clock-skew',
      `${header} is ${Math.round(skew)} s away from the server clock (window ${clock.skewSeconds} s)`,
    );
  }
}

function normalizeHeaders(raw: VerifiableRequest['headers']): Map<string, string> {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? text : `${previous}, ${text}`);
  }
  return headers;
}

function required(headers: Map<string, string>, name: string): string {
  const value = headers.get(name);
  if (value === undefined || value === '') throw new Rejection('missing-header', `header ${name} is required`);
  return value;
}

/** Constant-time equality of two strings (lengths are not secret). */
function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
