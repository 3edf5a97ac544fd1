import type { Store } from '../store/store.js';

/** Small facts of the module that must survive a restart (`insight_meta`), each written in the caller's transaction. */
export interface Meta {
  /** The value under `key`, or undefined. */
  get(key: string): string | undefined;
  /** Sets the value under `key`. */
  set(key: string, value: string): void;
}

/** The module's `insight_meta` table. */
export function createMeta(store: Store): Meta {
  return {
    get: (key) => store.prepare<[string], string>('SELECT value FROM insight_meta WHERE key = ?').pluck().get(key),
    set(key, value) {
      store.prepare('INSERT OR REPLACE INTO insight_meta (key, value) VALUES (?, ?)').run(key, value);
    },
  };
}
