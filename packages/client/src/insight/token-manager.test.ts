import { describe, expect, it } from 'vitest';
import { UserAbortError } from '../core/errors.js';
import { createStaticTokenManager, createTokenManager, type IssuedToken } from './token-manager.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createTokenManager', () => {
  it('reports the current token with the time it expires, measured from before the request', async () => {
    let time = 5_000;
    const manager = createTokenManager({
      now: () => time,
      fetchToken: async () => {
        time += 250;
        return { accessToken: 'tok', expiresIn: 7200 };
      },
    });
    expect(await manager.current()).toEqual({ accessToken: 'tok', expiresAt: 5_000 + 7_200_000 });
    expect(await createStaticTokenManager('given').current()).toEqual({ accessToken: 'given', expiresAt: undefined });
  });

  it('fetches once for any number of concurrent callers and caches the token', async () => {
    let fetches = 0;
    const pending = deferred<IssuedToken>();
    const manager = createTokenManager({
      fetchToken: () => {
        fetches++;
        return pending.promise;
      },
    });
    const calls = Array.from({ length: 50 }, () => manager.getToken());
    pending.resolve({ accessToken: 't1', expiresIn: 7200 });
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['t1']));
    expect(await manager.getToken()).toBe('t1');
    expect(fetches).toBe(1);
  });

  it('renews before expiry: ten minutes ahead for a two-hour token, a fifth of the lifetime for short ones', async () => {
    let time = 0;
    let serial = 0;
    const lifetimes = [7200, 10];
    const manager = createTokenManager({
      now: () => time,
      fetchToken: async () => ({ accessToken: `t${++serial}`, expiresIn: lifetimes[serial - 1] ?? 10 }),
    });
    expect(await manager.getToken()).toBe('t1');
    time = (7200 - 600) * 1000 - 1;
    expect(await manager.getToken()).toBe('t1');
    expect(serial).toBe(1);
    time += 1;
    // Due for renewal but still valid: the call goes on with t1 while t2 is fetched.
    expect(await manager.getToken()).toBe('t1');
    await Promise.resolve();
    expect(serial).toBe(2);
    expect(await manager.getToken()).toBe('t2');
    const issuedAt = time;
    time = issuedAt + 7999;
    expect(await manager.getToken()).toBe('t2');
    // Past the expiry guard (half the 2 s margin) a call waits for the new token.
    time = issuedAt + 9000;
    expect(await manager.getToken()).toBe('t3');
  });

  it('keeps a valid token in use while renewals fail, retrying them in the background, then fails once it expires', async () => {
    let time = 0;
    let fetches = 0;
    const manager = createTokenManager({
      now: () => time,
      fetchToken: async () => {
        fetches++;
        if (fetches === 1) return { accessToken: 'first', expiresIn: 7200 };
        throw new Error('token endpoint down');
      },
    });
    expect(await manager.getToken()).toBe('first');
    time = (7200 - 600) * 1000;
    expect(await manager.getToken()).toBe('first');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fetches).toBe(2);
    // Within the back-off after a failed renewal, calls neither wait nor ask again.
    time += 1000;
    expect(await manager.getToken()).toBe('first');
    expect(fetches).toBe(2);
    time += 5000;
    expect(await manager.getToken()).toBe('first');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fetches).toBe(3);
    // Within a minute of expiry the token is no longer handed out: the call waits for a renewal, which fails.
    time = (7200 - 59) * 1000;
    await expect(manager.getToken()).rejects.toThrow('token endpoint down');
  });

  it('renews once when many calls report the same rejected token', async () => {
    let serial = 0;
    const manager = createTokenManager({ fetchToken: async () => ({ accessToken: `t${++serial}`, expiresIn: 7200 }) });
    const rejected = await manager.getToken();
    const renewed = await Promise.all(
      Array.from({ length: 10 }, async () => {
        expect(manager.invalidate(rejected)).toBe(true);
        return manager.getToken();
      }),
    );
    expect(new Set(renewed)).toEqual(new Set(['t2']));
    // A late report about the old token must not throw away the new one.
    manager.invalidate(rejected);
    expect(await manager.getToken()).toBe('t2');
    expect(serial).toBe(2);
  });

  it('passes a failed fetch to every waiter and tries again on the next call', async () => {
    let attempt = 0;
    const manager = createTokenManager({
      fetchToken: async () => {
        attempt++;
        if (attempt === 1) throw new Error('[40003]invalid auth info');
        return { accessToken: 'ok', expiresIn: 7200 };
      },
    });
    const results = await Promise.allSettled([manager.getToken(), manager.getToken()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await manager.getToken()).toBe('ok');
    expect(attempt).toBe(2);
  });

  it('refuses a caller aborted before it asks, leaving no rejection of the fetch unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const manager = createTokenManager({
        fetchToken: async () => {
          throw new Error('[40003]invalid auth info');
        },
      });
      await expect(manager.getToken(AbortSignal.abort())).rejects.toBeInstanceOf(UserAbortError);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });

  it('lets one caller give up waiting without cancelling the fetch the others wait for', async () => {
    const pending = deferred<IssuedToken>();
    const manager = createTokenManager({ fetchToken: () => pending.promise });
    const controller = new AbortController();
    const impatient = manager.getToken(controller.signal);
    const patient = manager.getToken();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(impatient).rejects.toBeInstanceOf(UserAbortError);
    await expect(impatient).rejects.toMatchObject({ cause: reason });
    pending.resolve({ accessToken: 't', expiresIn: 7200 });
    expect(await patient).toBe('t');
  });
});

describe('createStaticTokenManager', () => {
  it('returns the supplied token and cannot renew it', async () => {
    const manager = createStaticTokenManager('fixed');
    expect(await manager.getToken()).toBe('fixed');
    expect(manager.invalidate('fixed')).toBe(false);
  });

  it('refuses an aborted caller with UserAbortError', async () => {
    const manager = createStaticTokenManager('fixed');
    await expect(manager.getToken(AbortSignal.abort())).rejects.toBeInstanceOf(UserAbortError);
  });
});
