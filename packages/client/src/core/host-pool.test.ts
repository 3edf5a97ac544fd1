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
