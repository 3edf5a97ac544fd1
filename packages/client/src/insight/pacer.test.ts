import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserAbortError } from '../core/errors.js';
import { abortableSleep, createPacer } from './pacer.js';

/** A virtual clock: sleeping advances time instantly, so start times are exact. */
function virtualClock() {
  let time = 0;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      time += ms;
    },
  };
}

describe('createPacer', () => {
  it('starts a burst under the limit at once, then waits for the window to move', async () => {
    const time = 0;
    const sleeps: number[] = [];
    const pacer = createPacer({
      limits: { stream: { limit: 3, windowMs: 1000 } },
      now: () => time,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    // All reservations are made at t=0: three start now, the next three when the first three leave the window.
    await Promise.all(Array.from({ length: 7 }, () => pacer.acquire('stream')));
    expect(sleeps).toEqual([1000, 1000, 1000, 2000]);
  });

  it('never starts more calls in any window than the limit, whatever the arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat({ max: 700 }), { maxLength: 40 }),
        async (limit, gaps) => {
          const clock = virtualClock();
          const pacer = createPacer({ limits: { e: { limit, windowMs: 1000 } }, now: clock.now, sleep: clock.sleep });
          const starts: number[] = [];
          for (const gap of gaps) {
            clock.advance(gap);
            await pacer.acquire('e');
            starts.push(clock.now());
          }
          for (const start of starts) {
            expect(starts.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves endpoints without a limit unpaced and keeps endpoints independent', async () => {
    const clock = virtualClock();
    const pacer = createPacer({
      limits: { a: { limit: 1, windowMs: 1000 }, b: { limit: 1, windowMs: 1000 } },
      ...clock,
    });
    await pacer.acquire('a');
    await pacer.acquire('b');
    await pacer.acquire('unlisted');
    expect(clock.now()).toBe(0);
  });

  it('gives back the slot of a call aborted while waiting, without forgetting the call before it', async () => {
    const sleeps: number[] = [];
    const pacer = createPacer({
      limits: { a: { limit: 1, windowMs: 100 } },
      now: () => 0,
      // A sleep that only ends by abort for the abandoned call, and at once for the others: what matters is how long
      // each call was told to wait.
      sleep: (ms, signal) => {
        sleeps.push(ms);
        if (!signal) return Promise.resolve();
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
        );
      },
    });
    await pacer.acquire('a');
    const controller = new AbortController();
    const waiting = pacer.acquire('a', controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBeInstanceOf(UserAbortError);
    await expect(waiting).rejects.toMatchObject({ cause: reason });
    // The first call still holds the window: the next one waits for it, and not for the abandoned one as well.
    await pacer.acquire('a');
    expect(sleeps).toEqual([100, 100]);
  });

  it('refuses a call whose signal has already aborted with UserAbortError', async () => {
    const pacer = createPacer({ limits: {} });
    await expect(pacer.acquire('a', AbortSignal.abort())).rejects.toBeInstanceOf(UserAbortError);
  });

  it('rejects invalid limits with the path of the field', () => {
    expect(() => createPacer({ limits: { search: { limit: 0, windowMs: 1000 } } })).toThrow('pacing.search.limit');
    expect(() => createPacer({ limits: { search: { limit: 1, windowMs: 0 } } })).toThrow('pacing.search.windowMs');
  });
});

describe('abortableSleep', () => {
  it('rejects at once with the reason of an aborted signal', async () => {
    await expect(abortableSleep(10_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
