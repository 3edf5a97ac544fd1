/** The emulator's notion of time, injectable so that tests can move it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock that a test sets and advances by hand. */
export interface ManualClock extends Clock {
  /** Sets the time, in ms since the Unix epoch. */
  set(ms: number): void;
  /** Moves the time forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
}

/** The wall clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** Creates a {@link ManualClock} starting at `startMs` (default: the current wall-clock time). */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set(ms) {
      current = ms;
    },
    advance(ms) {
      current += ms;
    },
  };
}
