/** Credentials of one ByteAir tenant: an air-auth token, or a Volcengine access key pair. */
export type ByteAirCredentials = { tenantId: string } & (
  | { token: string }
  | { accessKey: string; secretKey: string; region?: string }
);

/** What a signer needs to know about the request it signs. */
export interface SignInput {
  /** HTTP method, e.g. `POST`. */
  method: string;
  /** Request path as sent, e.g. `/predict/api/app-1/callback`; it may carry the query after `?`. */
  path: string;
  /** Raw query string without the leading `?`. */
  query?: string;
  /** Headers that will be sent, including `Host` and `Content-Type`. */
  headers: Record<string, string>;
  /** The body exactly as sent (the gzipped bytes). */
  body: Uint8Array;
  /** Signing time in ms since the Unix epoch. @default Date.now() */
  now?: number;
  /** Air-auth nonce. @default 8 random alphanumerics */
  nonce?: string;
}
