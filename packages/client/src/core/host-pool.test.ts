import { describe, expect, it } from 'vitest';
import { createHostPool, HOST_COOLDOWN_MS } from './host-pool.js';

describe('createHostPool', () => {
  it('rotates over healthy hosts', () => {
    const pool = createHostPool(['a', 'b', 'c']);
    expect([1, 2, 3, 4, 5, 6].map(() => pool.pick(new Set()))).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('passes over a host that went down until its cooldown ends', () => {
    let now = 0;
    const pool = createHostPool(['a', 'b'], () => now);
    pool.markDown('a');
    expect([1, 2, 3].map(() => pool.pick(new Set()))).toEqual(['b', 'b', 'b']);
    now = HOST_COOLDOWN_MS;
    expect(new Set([1, 2].map(() => pool.pick(new Set())))).toEqual(new Set(['a', 'b']));
  });

  it('avoids hosts already tried in this call, and falls back to the longest-down one', () => {
    let now = 0;
    const pool = createHostPool(['a', 'b', 'c'], () => now);
    expect(pool.pick(new Set(['a', 'b']))).toBe('c');
    pool.markDown('b');
    now = 10;
    pool.markDown('a');
    now = 20;
    pool.markDown('c');
    expect(pool.pick(new Set())).toBe('b');
    expect(pool.pick(new Set(['b']))).toBe('a');
    expect(pool.pick(new Set(['a', 'b', 'c']))).toBe('b');
    pool.markUp('c');
    expect(pool.pick(new Set())).toBe('c');
  });
});

describe('createHostPool: rotation with a host down', () => {
  it.each(['a', 'b', 'c'])('shares the picks evenly between the two others when %s is down', (down) => {
    const pool = createHostPool(['a', 'b', 'c'], () => 0);
    pool.markDown(down);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const host = pool.pick();
      counts.set(host, (counts.get(host) ?? 0) + 1);
    }
    expect(counts.has(down)).toBe(false);
    const shares = [...counts.values()];
    expect(shares).toHaveLength(2);
    expect(Math.abs(shares[0]! - shares[1]!)).toBeLessThanOrEqual(1);
  });

  it('keeps the rotation even when hosts go down and come back', () => {
    let now = 0;
    const pool = createHostPool(['a', 'b', 'c', 'd'], () => now);
    pool.markDown('b');
    pool.markDown('d');
    const picks = Array.from({ length: 6 }, () => pool.pick());
    expect(picks).toEqual(['a', 'c', 'a', 'c', 'a', 'c']);
    now = HOST_COOLDOWN_MS;
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const host = pool.pick();
      counts.set(host, (counts.get(host) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 100, b: 100, c: 100, d: 100 });
  });
});
