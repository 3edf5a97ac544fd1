/** How long a host that refused or timed out is passed over, in ms. */
export const HOST_COOLDOWN_MS = 5_000;

/**
 * The base URLs of one service, and which of them are currently worth trying. Calls rotate over the healthy hosts;
 * a host that refuses a connection or times out is passed over for {@link HOST_COOLDOWN_MS}, and a call that fails on
 * one host moves its next attempt to another.
 */
export interface HostPool {
  /** The host for the next attempt, avoiding those in `tried` (already failed in this call) when possible. */
  pick(tried?: ReadonlySet<string>): string;
  /** Marks a host unreachable for a while. */
  markDown(host: string): void;
  /** Marks a host reachable again. */
  markUp(host: string): void;
}

/** Creates a host pool over non-empty, already validated base URLs (`scheme://host[:port]`, no trailing slash). */
export function createHostPool(hosts: readonly string[], now: () => number = Date.now): HostPool {
  const downUntil = new Map<string, number>();
  // Index in `hosts` where the search for the next host starts: the one after the last host picked. Walking the ring
  // and skipping hosts that are down or already tried gives every current candidate the same share of the picks.
  let next = 0;
  return {
    pick(tried) {
      if (hosts.length === 1) return hosts[0]!;
      const t = now();
      for (let i = 0; i < hosts.length; i++) {
        const index = (next + i) % hosts.length;
        const host = hosts[index]!;
        if (tried?.has(host) || (downUntil.get(host) ?? 0) > t) continue;
        next = (index + 1) % hosts.length;
        return host;
      }
      // Every host is cooling down or already failed: the one that went down longest ago is the best bet.
      const untried = tried === undefined || tried.size === 0 ? hosts : hosts.filter((h) => !tried.has(h));
      const pool = untried.length > 0 ? untried : hosts;
      return pool.reduce((best, h) => ((downUntil.get(h) ?? 0) < (downUntil.get(best) ?? 0) ? h : best));
    },
    markDown(host) {
      downUntil.set(host, now() + HOST_COOLDOWN_MS);
    },
    markUp(host) {
      if (downUntil.size > 0) downUntil.delete(host);
    },
  };
}
