import { randomBytes } from 'node:crypto';
import { INSIGHT_HEADERS, INSIGHT_LIMITS } from '@insight/protocol';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { insightFailure } from './errors.js';

/** A token as `GET /oauth/access_token` answers it. */
export interface IssuedToken {
  access_token: string;
  /** Seconds the token has left. */
  expire: number;
}

/** Access tokens of the emulated businesses. */
export interface TokenService {
  /**
   * Answers the token call: the current token while it has 30 min or more left, else a new 2 h token (the old one
   * stays valid until it expires).
   *
   * @throws `[40003]` when the biz name is unknown or the secret wrong.
   */
  issue(biz: string | undefined, secret: string | undefined): IssuedToken;
  /**
   * Checks the headers of an API call.
   *
   * @throws `[40003]` for an unknown biz name, `[40001]` for a missing, unknown or expired token.
   */
  verify(biz: string | undefined, token: string | undefined): string;
}

const LIFETIME_MS = INSIGHT_LIMITS.tokenLifetimeSeconds * 1000;
const ROTATION_MS = INSIGHT_LIMITS.tokenRotationWindowSeconds * 1000;

/** Creates the token service over the store; `accounts` maps biz names to secrets. */
export function createTokenService(store: Store, clock: Clock, accounts: ReadonlyMap<string, string>): TokenService {
  const latest = () =>
    store.prepare<[string], { token: string; expires_at: number }>(
      'SELECT token, expires_at FROM insight_tokens WHERE biz = ? ORDER BY expires_at DESC LIMIT 1',
    );
  const known = (biz: string | undefined): biz is string => biz !== undefined && accounts.has(biz);

  return {
    issue(biz, secret) {
      if (!known(biz)) throw insightFailure(40003, `unknown biz name ${JSON.stringify(biz ?? '')}`);
      if (secret !== accounts.get(biz)) throw insightFailure(40003, 'wrong biz secret');
      const now = clock.now();
      const current = latest().get(biz);
      if (current !== undefined && current.expires_at - now >= ROTATION_MS) {
        return { access_token: current.token, expire: Math.floor((current.expires_at - now) / 1000) };
      }
      const token = randomBytes(24).toString('base64url');
      store
        .prepare('INSERT INTO insight_tokens (token, biz, issued_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(token, biz, now, now + LIFETIME_MS);
      // Expired tokens are useless; dropping them here keeps the table at two rows per business.
      store.prepare('DELETE FROM insight_tokens WHERE biz = ? AND expires_at <= ?').run(biz, now);
      return { access_token: token, expire: LIFETIME_MS / 1000 };
    },
    verify(biz, token) {
      if (!known(biz)) throw insightFailure(40003, `unknown biz name ${JSON.stringify(biz ?? '')}`);
      if (token === undefined) throw insightFailure(40001, `missing ${INSIGHT_HEADERS.accessToken}`);
      const row = store
        .prepare<[string, string], { expires_at: number }>(
          'SELECT expires_at FROM insight_tokens WHERE token = ? AND biz = ?',
        )
        .get(token, biz);
      if (row === undefined) throw insightFailure(40001, 'unknown access token');
      if (row.expires_at <= clock.now()) throw insightFailure(40001, 'access token expired');
      return biz;
    },
  };
}
