/**
 * Polls `probe` every `intervalMs` until `predicate` holds or `timeoutMs` passed; returns the last value either way, so
 * the caller's assertion on it reports what was seen. The default timeout leaves slack for a busy 2-core machine.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
