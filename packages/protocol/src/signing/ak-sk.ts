import { createHmac, hash } from 'node:crypto';
import { BYTEAIR_HEADERS } from '../http/headers.js';
import type { SignInput } from './types.js';

/** The only algorithm of Volcengine request signing. */
export const AKSK_ALGORITHM = 'HMAC-SHA256';
/** Region in the credential scope; current official SDKs send this literal (older ones `cn-north-1`). */
export const AKSK_DEFAULT_REGION = 'placeholder';
/** Service name in the credential scope. */
const SERVICE = 'air';
/** Terminator of the credential scope. */
const TERMINATOR = 'request';

/** The parts of a request the AK/SK signature covers. */
export interface AkSkCanonicalParts {
  method: string;
  path: string;
  query: string;
  /** Lower-cased header name → value, holding at least every signed header. */
  headers: ReadonlyMap<string, string>;
  /** Lower-cased, sorted names of the signed headers. */
  signedHeaders: readonly string[];
  /** `hex(sha256(body))`. */
  payloadHash: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  xDate: string;
  region: string;
}

/** `hex(sha256(bytes))`. */
export function sha256Hex(bytes: Uint8Array | string): string {
  // The one-shot `hash` skips the Hash object `createHash` builds, a few times faster on request-sized inputs.
  return hash('sha256', bytes, 'hex');
}

/** The last `X-Date` formatted, by the second it stands for: every request signed within one second shares it. */
let lastXDate = { second: Number.NaN, text: '' };

/** Formats a time as the AK/SK `X-Date`, `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatXDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastXDate.second) {
    const text = new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    lastXDate = { second, text };
  }
  return lastXDate.text;
}

const X_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Reads an AK/SK `X-Date` into ms since the Unix epoch, or undefined unless it is a valid `YYYYMMDDTHHMMSSZ`. */
export function parseXDate(xDate: string): number | undefined {
  const m = X_DATE.exec(xDate);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 20260230 over to March; a round trip catches it.
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return ms;
}

/** Whether a header takes part in the signature: `host`, `content-type`, `date` and every `x-*` header. */
export function isSignedHeader(lowerName: string): boolean {
  return lowerName === 'host' || lowerName === 'content-type' || lowerName === 'date' || lowerName.startsWith('x-');
}

/** `credentialScope` of a signature: `{yyyymmdd}/{region}/air/request`. */
export function akSkScope(xDate: string, region: string): string {
  return `${xDate.slice(0, 8)}/${region}/${SERVICE}/${TERMINATOR}`;
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query parameters decoded, re-encoded strictly and sorted by name (values of one name keep their order). */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = [...new URLSearchParams(query)].map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** The hex signature of a request under a secret key. */
export function akSkSignature(secretKey: string, parts: AkSkCanonicalParts): string {
  const canonicalHeaders = parts.signedHeaders.map((name) => `${name}:${(parts.headers.get(name) ?? '').trim()}\n`);
  // A path may carry its query (`/data/api/app/done?topic=x`); the signature covers it as query either way.
  const mark = parts.path.indexOf('?');
  const path = mark < 0 ? parts.path : parts.path.slice(0, mark);
  const query = mark < 0 ? parts.query : [parts.path.slice(mark + 1), parts.query].filter(Boolean).join('&');
  const canonicalRequest = [
    parts.method.toUpperCase(),
    path || '/',
    canonicalQuery(query),
    canonicalHeaders.join(''),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
  const scope = akSkScope(parts.xDate, parts.region);
  const stringToSign = [AKSK_ALGORITHM, parts.xDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(secretKey, parts.xDate.slice(0, 8), parts.region);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Derived signing keys by secret, day and region: they change once a day, and deriving one costs four HMACs. */
const signingKeys = new Map<string, Buffer>();
const SIGNING_KEY_CACHE_SIZE = 64;

function signingKey(secretKey: string, day: string, region: string): Buffer {
  const id = `${secretKey}\n${day}\n${region}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = hmac(secretKey, day);
    for (const part of [region, SERVICE, TERMINATOR]) key = hmac(key, part);
    if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Signs a request with a Volcengine access key pair (HMAC-SHA256), the ByteAir default.
 *
 * @returns the `X-Date`, `X-Content-Sha256` and `Authorization` headers to add to the request.
 * @throws TypeError when `input.headers` has no `Host`, which the signature must cover.
 */
export function signAkSk(
  creds: { accessKey: string; secretKey: string; region?: string },
  input: SignInput,
): Record<string, string> {
  const region = creds.region ?? AKSK_DEFAULT_REGION;
  const xDate = formatXDate(input.now ?? Date.now());
  const payloadHash = sha256Hex(input.body);
  // Only the signed headers reach the canonical request, so only those are collected; the two this signer writes
  // replace any the caller passed.
  const headers = new Map<string, string>();
  headers.set('x-date', xDate);
  headers.set('x-content-sha256', payloadHash);
  for (const name in input.headers) {
    const lower = name.toLowerCase();
    if (isSignedHeader(lower) && lower !== 'x-date' && lower !== 'x-content-sha256') {
      headers.set(lower, input.headers[name]!);
    }
  }
  if (!headers.has('host')) throw new TypeError('signAkSk: headers.Host is required, the signature covers it');
  const signedHeaders = [...headers.keys()].sort();
  const signature = akSkSignature(creds.secretKey, {
    method: input.method,
    path: input.path,
    query: input.query ?? '',
    headers,
    signedHeaders,
    payloadHash,
    xDate,
    region,
  });
  const scope = akSkScope(xDate, region);
  return {
    [BYTEAIR_HEADERS.xDate]: xDate,
    [BYTEAIR_HEADERS.xContentSha256]: payloadHash,
    [BYTEAIR_HEADERS.authorization]: `${AKSK_ALGORITHM} Credential=${creds.accessKey}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}
