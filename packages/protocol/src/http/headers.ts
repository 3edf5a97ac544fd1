/** Header names of the ByteAir API, spelled as the official SDKs send them. */
export const BYTEAIR_HEADERS = {
  /** The tenant (account) the call is made for. */
  tenantId: 'Tenant-Id',
  /** Caller-chosen idempotency key; a repeated id answers code 409 instead of being applied twice. */
  requestId: 'Request-Id',
  /** Server-side timeout of the call in milliseconds. */
  timeoutMillis: 'Timeout-Millis',
  /** Data writes: the day the data belongs to, `YYYY-MM-DD`. */
  contentDate: 'Content-Date',
  /** Data writes: `True` on the last batch of a day, else `False`. */
  contentEnd: 'Content-End',
  /** Air auth: signing time in Unix seconds. */
  tenantTs: 'Tenant-Ts',
  /** Air auth: 8 random alphanumerics, never reused. */
  tenantNonce: 'Tenant-Nonce',
  /** Air auth: `hex(sha256(token ‖ body ‖ tenantId ‖ ts ‖ nonce))`. */
  tenantSignature: 'Tenant-Signature',
  /** AK/SK: signing time, `YYYYMMDDTHHMMSSZ` (UTC). */
  xDate: 'X-Date',
  /** AK/SK: `hex(sha256(body))` of the body as sent. */
  xContentSha256: 'X-Content-Sha256',
  /** AK/SK: `HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
  authorization: 'Authorization',
  /** Callback: `true` asks the service to route by `context.spm`, which then must be bound to a slot. */
  enableSpmRoute: 'Enable-Spm-Route',
  /** Always `gzip`: request bodies are gzip-compressed. */
  contentEncoding: 'Content-Encoding',
  /** Always `gzip`: responses may come back compressed. */
  acceptEncoding: 'Accept-Encoding',
  /** `application/x-protobuf`, or `application/json` for data writes. */
  contentType: 'Content-Type',
  /** Always `application/x-protobuf`. */
  accept: 'Accept',
} as const;

/** Header names of the Content Insight API. */
export const INSIGHT_HEADERS = {
  /** The Volcengine account id of the business, on every call. */
  bizName: 'X-Insight-Biz-Name',
  /** The access token, on every call but the token call itself. */
  accessToken: 'X-Insight-Access-Token',
  /** The business secret, only on `GET /oauth/access_token`. */
  bizSecret: 'X-Insight-Biz-Secret',
  /** `application/json` whenever the call has a body, `GET` included. */
  contentType: 'Content-Type',
} as const;

/** Media types both services use. */
export const CONTENT_TYPES = {
  /** ByteAir request and response bodies (before gzip). */
  protobuf: 'application/x-protobuf',
  /** ByteAir data writes and every Content Insight body. */
  json: 'application/json',
  /** Content Insight consumption streams. */
  eventStream: 'text/event-stream',
} as const;

/**
 * Names of headers that carry credentials, in any letter case: ByteAir's `Authorization` and `Tenant-Signature`,
 * Content Insight's `X-Insight-Biz-Secret` and `X-Insight-Access-Token`, cookies, and any other authorization, token,
 * secret, signature or API-key header.
 */
export const CREDENTIAL_HEADER = /authorization|signature|token|secret|cookie|api-key/i;

/** What a credential's value is replaced by wherever headers are logged. */
export const REDACTED = '[REDACTED]';

/**
 * A copy of headers fit for a log: every value a plain string (repeated headers joined with `, `, absent ones left
 * out), and every credential ({@link CREDENTIAL_HEADER}) replaced by {@link REDACTED}.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = CREDENTIAL_HEADER.test(name) ? REDACTED : typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}
