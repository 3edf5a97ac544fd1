/**
 * Interleaves async iterables in arrival order. Each source has at most one pending `next()`, so a slow consumer
 * slows every source instead of buffering without bound.
 *
 * When the merged iterator ends early (the consumer stops, or a source fails), the other sources are asked to return
 * but not awaited: a source blocked on I/O only finishes once the caller cancels it, which is why callers pair this
 * with an `AbortSignal` they abort in their own `finally`.
 */
export async function* mergeAsync<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => {
    pending.set(
      index,
      iterators[index]!.next().then((result) => ({ index, result })),
    );
  };
  for (let index = 0; index < iterators.length; index++) pull(index);
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    for (const [index, promise] of pending) {
      promise.catch(() => undefined);
      iterators[index]!.return?.().catch(() => undefined);
    }
  }
}
