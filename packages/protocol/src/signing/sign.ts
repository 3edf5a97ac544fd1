import { signAirAuth } from './air-auth.js';
import { signAkSk } from './ak-sk.js';
import type { ByteAirCredentials, SignInput } from './types.js';

/**
 * Signs a ByteAir request in the mode the credentials imply: air auth with a `token`, AK/SK with a key pair.
 *
 * @returns the auth headers to add to the request.
 */
export function signByteAirRequest(creds: ByteAirCredentials, input: SignInput): Record<string, string> {
  return 'token' in creds ? signAirAuth(creds.token, creds.tenantId, input) : signAkSk(creds, input);
}
