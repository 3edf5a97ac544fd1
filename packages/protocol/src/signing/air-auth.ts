import { createHash, randomInt } from 'node:crypto';
import { BYTEAIR_HEADERS } from '../http/headers.js';
import type { SignInput } from './types.js';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE_LENGTH = 8;

/** A fresh air-auth nonce: 8 random alphanumerics, as the official SDKs send. */
export function createNonce(): string {
  let nonce = '';
  for (let i = 0; i < NONCE_LENGTH; i++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** The air-auth signature: `hex(sha256(token ‖ body ‖ tenantId ‖ ts ‖ nonce))`, strings as UTF-8. */
export function airAuthSignature(token: string, body: Uint8Array, tenantId: string, ts: string, nonce: string): string {
  return createHash('sha256').update(token).update(body).update(tenantId).update(ts).update(nonce).digest('hex');
}

/**
 * Signs a request in air-auth (token) mode.
 *
 * @returns the `Tenant-Ts`, `Tenant-Nonce` and `Tenant-Signature` headers to add to the request.
 */
export function signAirAuth(token: string, tenantId: string, input: SignInput): Record<string, string> {
  const ts = String(Math.floor((input.now ?? Date.now()) / 1000));
  const nonce = input.nonce ?? createNonce();
  return {
    [BYTEAIR_HEADERS.tenantTs]: ts,
    [BYTEAIR_HEADERS.tenantNonce]: nonce,
    [BYTEAIR_HEADERS.tenantSignature]: airAuthSignature(token, input.body, tenantId, ts, nonce),
  };
}
