/**
 * Interleaves async iterables in arrival order. Each source has at most one pending `next()`, and it is pulled again
 * only once its previous value was handed on, so a slow consumer slows every source instead of buffering without
 * bound.
 *
 * Each pending `next()` is observed exactly once: its settlement is queued, and the merge waits on a promise of its own
 * rather than racing the sources' promises again every round, which would pile a reaction per round onto the promise
 * of a source that stays quiet.
 *
 * When the merged iterator ends early (the consumer stops or throws into it, or a source fails), every source that has
 * not finished is asked to return, but not awaited: a source blocked on I/O only finishes once the caller cancels it,
 * which is why callers pair this with an `AbortSignal` they abort in their own `finally`.
 */
export async function* mergeAsync<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const open = new Set(iterators.keys());
  // Settled `next()` calls in arrival order: at most one per source.
  const settled: { index: number; outcome: PromiseSettledResult<IteratorResult<T>> }[] = [];
  let wake: (() => void) | undefined;
  const arrive = (index: number, outcome: PromiseSettledResult<IteratorResult<T>>) => {
    settled.push({ index, outcome });
    wake?.();
  };
  const pull = (index: number) => {
    iterators[index]!.next().then(
      (value) => arrive(index, { status: 'fulfilled', value }),
      (reason: unknown) => arrive(index, { status: 'rejected', reason }),
    );
  };
  try {
    for (const index of open) pull(index);
    while (open.size > 0) {
      if (settled.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      const { index, outcome } = settled.shift()!;
      if (outcome.status === 'rejected') {
        open.delete(index);
        throw outcome.reason;
      }
      if (outcome.value.done) {
        open.delete(index);
        continue;
      }
      pull(index);
      yield outcome.value.value;
    }
  } finally {
    for (const index of open) iterators[index]!.return?.().catch(() => undefined);
  }
}
