import { BYTEAIR_HEADERS, type ByteAirCredentials, verifyByteAirRequest } from '@insight/protocol';
import type { EmulatorRequest } from '../core/http.js';
import type { EmulatorContext } from '../core/module.js';
import type { ByteAirTenant } from '../options.js';
import { byteAirFailure } from './replies.js';

/** A request that passed authentication. */
export interface Authenticated {
  tenantId: string;
  mode: 'air' | 'aksk';
}

/**
 * Creates the authenticator of ByteAir routes: verifies the request's signature in its tenant's auth mode (a tenant
 * configured with both accepts either; the request's headers tell which it used), the clock skew, air-auth nonce
 * replay (a nonce is remembered for the longer of `nonceWindowSeconds` and `clockSkewSeconds`), and the tenant's right
 * to the application.
 */
export function createAuthenticator(
  ctx: EmulatorContext,
): (req: EmulatorRequest, app: string) => Promise<Authenticated> {
  const { store, clock } = ctx;
  const { clockSkewSeconds, nonceWindowSeconds } = ctx.options.byteair;
  const tenants = new Map<string, ByteAirTenant>(ctx.options.tenants.map((t) => [t.tenantId, t]));
  // A nonce is kept at least as long as its timestamp passes the skew check: forgotten earlier, a byte-identical
  // replay would be accepted again while its signature is still valid.
  const nonceKeepSeconds = Math.max(nonceWindowSeconds, clockSkewSeconds);

  const purgeNonces = store.prepare<[number]>('DELETE FROM byteair_nonces WHERE ts < ?');
  const insertNonce = store.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO byteair_nonces (tenant_id, nonce, ts) VALUES (?, ?, ?)',
  );
  const nonceSeen = (tenantId: string, nonce: string, tsSeconds: number): boolean =>
    store.transaction(() => {
      purgeNonces.run(Math.floor(clock.now() / 1000) - nonceKeepSeconds);
      return insertNonce.run(tenantId, nonce, tsSeconds).changes === 0;
    });

  return async (req, app) => {
    const body = await req.rawBody();
    const usesAkSk = req.header(BYTEAIR_HEADERS.authorization) !== undefined;
    const result = verifyByteAirRequest(
      { method: req.method, path: req.path, query: req.rawQuery, headers: req.headers, body },
      {
        lookup: (tenantId) => credentialsFor(tenants.get(tenantId), usesAkSk),
        now: clock.now(),
        skewSeconds: clockSkewSeconds,
        nonceSeen,
      },
    );
    if (!result.ok) throw byteAirFailure(401, `${result.reason}: ${result.message}`);
    const allowed = tenants.get(result.tenantId)?.applications;
    if (allowed && !allowed.includes(app)) {
      throw byteAirFailure(401, `unknown-application: tenant "${result.tenantId}" has no application "${app}"`);
    }
    return { tenantId: result.tenantId, mode: result.mode };
  };
}

function credentialsFor(tenant: ByteAirTenant | undefined, preferAkSk: boolean): ByteAirCredentials | undefined {
  if (!tenant) return undefined;
  const { tenantId, token, accessKey, secretKey } = tenant;
  const akSk = accessKey !== undefined && secretKey !== undefined ? { tenantId, accessKey, secretKey } : undefined;
  if (token === undefined) return akSk;
  return preferAkSk && akSk ? akSk : { tenantId, token };
}
