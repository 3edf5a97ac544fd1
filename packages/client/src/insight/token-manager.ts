/**
 * The access-token cache of the Insight client: one token shared by every call, renewed shortly before it expires and
 * after the service rejects it, with at most one `oauth/access_token` request in flight.
 */
import { UserAbortError } from '../core/errors.js';

/** A token as the service issues it. */
export interface IssuedToken {
  /** The token to send in `X-Insight-Access-Token`. */
  readonly accessToken: string;
  /** Lifetime in seconds (`data.expire`). */
  readonly expiresIn: number;
}

/** A token in hand, with the time it expires when that is known. */
export interface CurrentToken {
  /** The token to send in `X-Insight-Access-Token`. */
  readonly accessToken: string;
  /** When the service stops accepting it, in ms since the epoch; unknown for a caller-supplied token. */
  readonly expiresAt: number | undefined;
}

/** Supplies the token every call carries. */
export interface TokenManager {
  /**
   * The current token, fetching or renewing it first when needed.
   * @throws UserAbortError when `signal` aborts first.
   */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Like {@link TokenManager.getToken}, with the token's expiry. */
  current(signal?: AbortSignal): Promise<CurrentToken>;
  /**
   * Reports that the service rejected `token` (`[40001]`). Returns whether a call may retry with a new token: `true`
   * when the manager can fetch one. Concurrent reports of the same token cause a single renewal.
   */
  invalidate(token: string): boolean;
}

/** Options of {@link createTokenManager}. */
export interface TokenManagerOptions {
  /** Fetches a new token; it runs without the callers' signals, since it serves every waiting call. */
  readonly fetchToken: () => Promise<IssuedToken>;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * How long before expiry a token is renewed, at most, in milliseconds. Ten minutes falls inside the service's
 * 30-minute window in which asking again issues a new token, and leaves room for a slow or retried renewal.
 */
export const TOKEN_REFRESH_MARGIN_MS = 10 * 60 * 1000;

/** The share of a token's lifetime kept as renewal margin when the lifetime is short (test and emulator tokens). */
const SHORT_LIFETIME_MARGIN_RATIO = 0.2;

/**
 * How long before expiry a token stops being handed out while a renewal is pending, at most, in ms: a call that starts
 * with it must still reach the service in time.
 */
const EXPIRY_GUARD_MS = 60 * 1000;

/** After a renewal in the background fails, the wait before the next one, in ms (the old token is still in use). */
const BACKGROUND_RETRY_MS = 5 * 1000;

/**
 * Creates a token manager that fetches tokens with `fetchToken`. Past its renewal time a token that is still valid
 * keeps being used while the renewal runs in the background, so that a slow or failing token endpoint delays no call
 * until the token is about to expire.
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const now = options.now ?? Date.now;
  let current: { token: string; renewAt: number; usableUntil: number; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  function renew(): Promise<string> {
    inflight ??= (async () => {
      // Measure the lifetime from before the request: the token can only be older than that, never younger.
      const requestedAt = now();
      try {
        const issued = await options.fetchToken();
        const lifetime = issued.expiresIn * 1000;
        const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifetime * SHORT_LIFETIME_MARGIN_RATIO);
        const guard = Math.min(EXPIRY_GUARD_MS, margin / 2);
        current = {
          token: issued.accessToken,
          renewAt: requestedAt + lifetime - margin,
          usableUntil: requestedAt + lifetime - guard,
          expiresAt: requestedAt + lifetime,
        };
        return issued.accessToken;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  const getToken = (signal?: AbortSignal): Promise<string> => {
    const time = now();
    if (current && time < current.renewAt) return Promise.resolve(current.token);
    if (current && time < current.usableUntil) {
      const held = current;
      renew().catch(() => {
        // Keep using the held token; try again a little later rather than on every call.
        if (current === held) held.renewAt = Math.min(now() + BACKGROUND_RETRY_MS, held.usableUntil);
      });
      return Promise.resolve(held.token);
    }
    return raceAbort(renew(), signal);
  };
  return {
    getToken,
    async current(signal) {
      const token = await getToken(signal);
      // A renewal that raced in between replaced `current`; report the expiry of the token returned.
      return { accessToken: token, expiresAt: current?.token === token ? current.expiresAt : undefined };
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
      return true;
    },
  };
}

/** A token manager for a caller-supplied token: it never renews, so a rejected token fails the call. */
export function createStaticTokenManager(accessToken: string): TokenManager {
  const getToken = (signal?: AbortSignal): Promise<string> =>
    signal?.aborted ? Promise.reject(new UserAbortError({ cause: signal.reason })) : Promise.resolve(accessToken);
  return {
    getToken,
    current: async (signal) => ({ accessToken: await getToken(signal), expiresAt: undefined }),
    invalidate: () => false,
  };
}

/** Settles with `promise`, or rejects with a `UserAbortError` as soon as `signal` aborts; `promise` keeps running. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // The caller is gone, but `promise` keeps running: its failure is for the next caller, not an unhandled rejection.
    promise.catch(() => undefined);
    return Promise.reject(new UserAbortError({ cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new UserAbortError({ cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
