import { describe, expect, it } from 'vitest';
import { createFaultSet } from './faults.js';
import { createRandom } from './random.js';

describe('fault set', () => {
  it('lets the first matching rule decide, and spends it after `times` hits', () => {
    const faults = createFaultSet();
    const first = faults.add({ route: 'POST /a', status: 500, times: 2 });
    const second = faults.add({ route: '/a', status: 503 });
    const random = createRandom(1);
    expect(faults.pick('POST', '/a', random)?.id).toBe(first.id);
    expect(faults.pick('POST', '/a', random)?.id).toBe(first.id);
    expect(faults.pick('POST', '/a', random)?.id).toBe(second.id);
    expect(faults.pick('GET', '/b', random)).toBeUndefined();
    expect(faults.list().map((f) => f.hits)).toEqual([2, 1]);
  });

  it('does not fall through to later rules when the first match misses its probability', () => {
    const faults = createFaultSet();
    faults.add({ route: '/a', status: 500, probability: 0 });
    faults.add({ route: '/a', status: 503 });
    expect(faults.pick('GET', '/a', createRandom(1))).toBeUndefined();
  });

  it('fires with its probability, reproducibly for a seed', () => {
    const run = (seed: number) => {
      const faults = createFaultSet();
      faults.add({ route: '**', latencyMs: 1, probability: 0.3 });
      const random = createRandom(seed);
      return Array.from({ length: 1000 }, () => faults.pick('GET', '/x', random) !== undefined);
    };
    const fired = run(5).filter(Boolean).length;
    expect(fired).toBeGreaterThan(240);
    expect(fired).toBeLessThan(360);
    expect(run(5)).toEqual(run(5));
    expect(run(6)).not.toEqual(run(5));
  });

  it('applies defaults and refuses rules that do nothing or contradict themselves', () => {
    const faults = createFaultSet();
    expect(faults.add({ route: '/x', status: 500 })).toMatchObject({
      probability: 1,
      dropConnection: false,
      after: false,
    });
    expect(() => faults.add({ route: '/x' })).toThrow(/at least one of/);
    expect(() => faults.add({ route: '/x', status: 500, dropConnection: true })).toThrow(/exclude each other/);
    expect(() => faults.add({ route: '/x', status: 99 })).toThrow();
    expect(() => faults.add({ route: '/x', status: 500, surprise: 1 })).toThrow();
  });

  it('removes one rule by id, or all', () => {
    const faults = createFaultSet();
    const a = faults.add({ route: '/a', status: 500 });
    faults.add({ route: '/b', status: 500 });
    expect(faults.remove(a.id)).toBe(true);
    expect(faults.remove(a.id)).toBe(false);
    expect(faults.list()).toHaveLength(1);
    faults.clear();
    expect(faults.list()).toEqual([]);
  });
});
