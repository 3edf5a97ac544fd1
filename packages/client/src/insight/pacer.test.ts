import { describe, expect, it } from 'vitest';
import { abortableSleep, createPacer } from './pacer.js';

/** A virtual clock: sleeping advances time instantly, so start times are exact. */
function virtualClock() {
  let time = 0;
  return {
    now: () => time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      time += ms;
    },
  };
}

describe('createPacer', () => {
  it('spaces concurrent calls at the endpoint rate, first come first served', async () => {
    let time = 0;
    const sleeps: number[] = [];
    const pacer = createPacer({
      limits: { search: { perSecond: 20 } },
      now: () => time,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await Promise.all(Array.from({ length: 5 }, () => pacer.acquire('search')));
    // All reservations are made at t=0: slot k waits k × 50 ms.
    expect(sleeps).toEqual([50, 100, 150, 200]);
    time = 1000;
    sleeps.length = 0;
    await pacer.acquire('search');
    expect(sleeps).toEqual([]);
  });

  it('lets a burst through after an idle period, then paces', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ limits: { token: { perSecond: 5, burst: 3 } }, ...clock });
    const starts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await pacer.acquire('token');
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 0, 0, 200, 400, 600]);
  });

  it('never starts more calls in any one-second window than the limit', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ limits: { subs: { perSecond: 5 } }, ...clock });
    const starts: number[] = [];
    for (let i = 0; i < 40; i++) {
      await pacer.acquire('subs');
      starts.push(clock.now());
    }
    for (const start of starts) {
      expect(starts.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it('leaves endpoints without a limit unpaced and keeps buckets independent', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ limits: { a: { perSecond: 1 }, b: { perSecond: 1 } }, ...clock });
    await pacer.acquire('a');
    await pacer.acquire('b');
    await pacer.acquire('unlisted');
    expect(clock.now()).toBe(0);
  });

  it('gives back the slot of a call aborted while waiting', async () => {
    const pacer = createPacer({ limits: { a: { perSecond: 10 } } });
    await pacer.acquire('a');
    const controller = new AbortController();
    const waiting = pacer.acquire('a', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    const started = performance.now();
    await pacer.acquire('a');
    // The aborted call's slot (≈100 ms out) was returned, so this call waits for it and not for a second one.
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('rejects invalid limits with the path of the field', () => {
    expect(() => createPacer({ limits: { search: { perSecond: 0 } } })).toThrow('pacing.search.perSecond');
    expect(() => createPacer({ limits: { search: { perSecond: 1, burst: 0.5 } } })).toThrow('pacing.search.burst');
  });
});

describe('abortableSleep', () => {
  it('rejects at once with the reason of an aborted signal', async () => {
    await expect(abortableSleep(10_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
