import { stableScore } from '../core/random.js';

/** Ids of the synthetic item pool of an application nobody wrote items to: `item-1` … `item-{size}`. */
export function syntheticPool(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `item-${i + 1}`);
}

/**
 * Orders item ids for one user, best first. The order is a pure function of (seed, app, uid, id): the same user gets the
 * same order on every call and every run, and different users get different orders.
 */
export function rankForUser(ids: Iterable<string>, key: { seed: string; app: string; uid: string }): string[] {
  const scored = [...new Set(ids)].map((id) => ({ id, score: stableScore(key.seed, key.app, key.uid, id) }));
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return scored.map((s) => s.id);
}
