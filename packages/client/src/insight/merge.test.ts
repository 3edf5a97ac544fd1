import { describe, expect, it } from 'vitest';
import { mergeAsync } from './merge.js';

/** A promise that counts the reactions attached to it and to the promises derived from it. */
class CountingPromise<T> extends Promise<T> {
  static reactions = 0;
  // biome-ignore lint/suspicious/noThenProperty: the class counts the calls of `then` of a real promise.
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    CountingPromise.reactions++;
    return super.then(onFulfilled, onRejected);
  }
}

/** A source that records its `next()` and `return()` calls; `quiet` sources never yield. */
function source(quiet: boolean) {
  const calls = { next: 0, return: 0 };
  let offset = 0;
  const iterator: AsyncIterator<number> & AsyncIterable<number> = {
    next() {
      calls.next++;
      if (quiet) return new CountingPromise<IteratorResult<number>>(() => {});
      return Promise.resolve({ done: false, value: offset++ });
    },
    return() {
      calls.return++;
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return { iterator, calls };
}

describe('mergeAsync', () => {
  it('observes the pending next() of a quiet source once, however many items the others yield', async () => {
    CountingPromise.reactions = 0;
    const fast = source(false);
    const quiet = source(true);
    const merged = mergeAsync([fast.iterator, quiet.iterator]);
    let items = 0;
    for await (const _ of merged) if (++items === 5000) break;
    expect(quiet.calls.next).toBe(1);
    expect(CountingPromise.reactions).toBe(1);
    expect(fast.calls.next).toBe(5001);
  });

  it('asks every unfinished source to return when the consumer stops', async () => {
    const fast = source(false);
    const quiet = source(true);
    const merged = mergeAsync([fast.iterator, quiet.iterator]);
    await merged.next();
    await merged.return(undefined);
    expect(fast.calls.return).toBe(1);
    expect(quiet.calls.return).toBe(1);
  });

  it('asks every unfinished source to return when the consumer throws into it', async () => {
    const fast = source(false);
    const quiet = source(true);
    const merged = mergeAsync([fast.iterator, quiet.iterator]);
    await merged.next();
    await expect(merged.throw(new Error('consumer failed'))).rejects.toThrow('consumer failed');
    expect(fast.calls.return).toBe(1);
    expect(quiet.calls.return).toBe(1);
  });

  it('closes the other sources, and not the failed one, when a source fails', async () => {
    const quiet = source(true);
    const failing = {
      async *[Symbol.asyncIterator]() {
        yield 1;
        throw new Error('source broke');
      },
    };
    const items: number[] = [];
    const run = (async () => {
      for await (const item of mergeAsync([failing, quiet.iterator])) items.push(item);
    })();
    await expect(run).rejects.toThrow('source broke');
    expect(items).toEqual([1]);
    expect(quiet.calls.return).toBe(1);
  });

  it('ends when every source has ended, yielding each item once', async () => {
    async function* count(from: number, to: number) {
      for (let i = from; i <= to; i++) yield i;
    }
    const items: number[] = [];
    for await (const item of mergeAsync([count(0, 9), count(10, 14), count(15, 15)])) items.push(item);
    expect(items.sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });
});
