import type { ResolvedOptions } from '../options.js';
import type { Migration, Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { ErrorRenderer, Router } from './router.js';

/** What every module gets from the server it is mounted in. */
export interface EmulatorContext {
  /** The shared SQLite store; the module's migrations are applied before `register` runs. */
  readonly store: Store;
  /** The server's clock (injectable in tests). */
  readonly clock: Clock;
  /** The server's options, defaults applied. */
  readonly options: ResolvedOptions;
  /** Seeded random numbers in [0, 1): deterministic for a given `seed` and sequence of calls. */
  random(): number;
  /** Writes one line to the server's logger (nothing when none was given). */
  log(message: string): void;
}

/** One emulated service (or any extra endpoints) mounted in the emulator. */
export interface EmulatorModule {
  /** Unique name, used in the request log, `/_insight/state` and `/_insight/seed`. */
  readonly name: string;
  /** Schema changes, applied once each, in order, and remembered per module in the store. */
  readonly migrations: Migration[];
  /** Default renderer of this module's errors (its service's error format); JSON `{error}` when absent. */
  renderError?: ErrorRenderer;
  /** Adds the module's routes. */
  register(router: Router, ctx: EmulatorContext): void;
  /** Starts background work (timers, generators), once the server listens. */
  start?(ctx: EmulatorContext): void;
  /** Stops background work; awaited before the store closes. */
  stop?(): void | Promise<void>;
  /** Forgets all state (`POST /_insight/reset`). */
  reset?(): void;
  /** A JSON view of the module's state (`GET /_insight/state`). */
  state?(): unknown;
  /** Loads data (`POST /_insight/seed` with `{"module": name, …}`); the result is returned to the caller as JSON. */
  seed?(body: unknown): unknown;
}
