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
  const values = parts.signedHeaders.map((name) => parts.headers.get(name) ?? '');
  return signCanonical(
    secretKey,
    parts.method,
    parts.path,
    parts.query,
    parts.signedHeaders,
    values,
    parts.payloadHash,
    parts.xDate,
    parts.region,
  );
}

/**
 * The signature over the canonical request; `names` (lower-cased, sorted) and `values` are the signed headers.
 * Signer and verifier both come through here, so that they cannot disagree on the canonical form.
 */
function signCanonical(
  secretKey: string,
  method: string,
  fullPath: string,
  rawQuery: string,
  names: readonly string[],
  values: readonly string[],
  payloadHash: string,
  xDate: string,
  region: string,
): string {
  // A path may carry its query (`/data/api/app/done?topic=x`); the signature covers it as query either way.
  const mark = fullPath.indexOf('?');
  const path = mark < 0 ? fullPath : fullPath.slice(0, mark);
  const query = mark < 0 ? rawQuery : [fullPath.slice(mark + 1), rawQuery].filter(Boolean).join('&');
  let canonicalHeaders = '';
  let signedHeaders = '';
  for (let i = 0; i < names.length; i++) {
    canonicalHeaders += `${names[i]}:${values[i]!.trim()}\n`;
    signedHeaders += i === 0 ? names[i] : `;${names[i]}`;
  }
  const canonicalRequest = `${method.toUpperCase()}\n${path || '/'}\n${canonicalQuery(query)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const key = signingKey(secretKey, xDate.slice(0, 8), region);
  return key.hmacHex(`${AKSK_ALGORITHM}\n${xDate}\n${key.scope}\n${sha256Hex(canonicalRequest)}`);
}

/**
 * The derived signing key of one secret, day and region, as HMAC-SHA256 (RFC 2104) pads: `HMAC(k, m)` is
 * `sha256(k ⊕ opad ‖ sha256(k ⊕ ipad ‖ m))`, two one-shot hashes. A request signed this way costs a fraction of
 * `createHmac`, which builds a stream object and a native key for every call.
 */
class SigningKey {
  /** `{yyyymmdd}/{region}/air/request`. */
  readonly scope: string;
  /** `k ⊕ ipad`, then room for the message. */
  private inner: Buffer;
  /** `k ⊕ opad`, then the inner digest. */
  private readonly outer = Buffer.alloc(HMAC_BLOCK + 32);

  constructor(key: Buffer, scope: string) {
    this.scope = scope;
    this.inner = Buffer.alloc(HMAC_BLOCK + 512);
    for (let i = 0; i < HMAC_BLOCK; i++) {
      this.inner[i] = (key[i] ?? 0) ^ 0x36;
      this.outer[i] = (key[i] ?? 0) ^ 0x5c;
    }
  }

  /** `hex(HMAC-SHA256(key, message))`. Synchronous, so calls never share the scratch space. */
  hmacHex(message: string): string {
    const length = Buffer.byteLength(message);
    if (HMAC_BLOCK + length > this.inner.length) {
      const grown = Buffer.alloc(HMAC_BLOCK + length);
      this.inner.copy(grown, 0, 0, HMAC_BLOCK);
      this.inner = grown;
    }
    this.inner.write(message, HMAC_BLOCK);
    const innerDigest = hash('sha256', this.inner.subarray(0, HMAC_BLOCK + length), 'buffer') as unknown as Buffer;
    innerDigest.copy(this.outer, HMAC_BLOCK);
    return hash('sha256', this.outer, 'hex');
  }
}

/** SHA-256's block size, in bytes. */
const HMAC_BLOCK = 64;

/** Derived signing keys by secret, day and region: they change once a day, and deriving one costs four HMACs. */
const signingKeys = new Map<string, SigningKey>();
const SIGNING_KEY_CACHE_SIZE = 64;

function signingKey(secretKey: string, day: string, region: string): SigningKey {
  const id = `${secretKey}\n${day}\n${region}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    let derived = hmac(secretKey, day);
    for (const part of [region, SERVICE, TERMINATOR]) derived = hmac(derived, part);
    key = new SigningKey(derived, akSkScope(day, region));
    if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Header name → its lower-cased form when it takes part in the signature, or `null`. Clients send the same few names
 * on every call; looking them up spares a lower-casing and a test per header and request.
 */
const signedNames = new Map<string, string | null>();
const SIGNED_NAME_CACHE_SIZE = 256;

function signedName(name: string): string | null {
  let lower = signedNames.get(name);
  if (lower === undefined) {
    const candidate = name.toLowerCase();
    lower = isSignedHeader(candidate) && candidate !== 'x-date' && candidate !== 'x-content-sha256' ? candidate : null;
    if (signedNames.size >= SIGNED_NAME_CACHE_SIZE) signedNames.clear();
    signedNames.set(name, lower);
  }
  return lower;
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
  // Only the signed headers reach the canonical request, so only those are collected, kept sorted by name as they
  // come (a handful); the two this signer writes replace any the caller passed.
  const names = ['x-content-sha256', 'x-date'];
  const values = [payloadHash, xDate];
  for (const name in input.headers) {
    const lower = signedName(name);
    if (lower === null) continue;
    let at = names.length;
    while (at > 0 && names[at - 1]! >= lower) at--;
    if (names[at] === lower) values[at] = input.headers[name]!;
    else {
      names.splice(at, 0, lower);
      values.splice(at, 0, input.headers[name]!);
    }
  }
  if (!names.includes('host')) throw new TypeError('signAkSk: headers.Host is required, the signature covers it');
  const signature = signCanonical(
    creds.secretKey,
    input.method,
    input.path,
    input.query ?? '',
    names,
    values,
    payloadHash,
    xDate,
    region,
  );
  const scope = signingKey(creds.secretKey, xDate.slice(0, 8), region).scope;
  return {
    [BYTEAIR_HEADERS.xDate]: xDate,
    [BYTEAIR_HEADERS.xContentSha256]: payloadHash,
    [BYTEAIR_HEADERS.authorization]: `${AKSK_ALGORITHM} Credential=${creds.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
