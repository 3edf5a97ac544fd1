import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** One schema change of a module: SQL run once, in a transaction, in the order given. */
export interface Migration {
  /** Unique within the module, e.g. `001-callbacks`; never renamed once released. */
  id: string;
  /** SQL statements. */
  up: string;
}

/** The emulator's SQLite store. */
export interface Store {
  /** The underlying connection, for what the helpers do not cover. */
  readonly db: Database.Database;
  /** The database file, or `:memory:`. */
  readonly path: string;
  /** A prepared statement, cached by its SQL text. */
  prepare<P extends unknown[] | Record<string, unknown> = unknown[], R = unknown>(
    sql: string,
  ): Database.Statement<P, R>;
  /**
   * Runs `fn` in one transaction (nested calls become savepoints). Handlers answer only after this returns, so an
   * acknowledged write is committed.
   */
  transaction<T>(fn: () => T): T;
  /** Applies the module's migrations that the store has not yet seen. */
  migrate(module: string, migrations: readonly Migration[]): void;
  /** Closes the connection (idempotent). */
  close(): void;
}

/** File name of the database inside a data directory. */
export const DATABASE_FILE = 'insight.db';

/**
 * Opens the store: `':memory:'`, or `<dataDir>/insight.db` (the directory is created when missing).
 *
 * Journal mode is WAL with `synchronous = NORMAL`: a commit is appended to the WAL with `write()` before the
 * transaction returns, so once a handler has answered, the data is in the OS page cache and survives the process
 * being killed (`kill -9`, an uncaught crash). Only an OS crash or power loss can lose the last commits, which an
 * emulator may accept; `FULL` would add an fsync per commit for no gain against process death.
 */
export function createStore(dataDir: string): Store {
  const path = dataDir === ':memory:' ? dataDir : join(ensureDir(dataDir), DATABASE_FILE);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS _migrations (
    module TEXT NOT NULL,
    id TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (module, id)
  )`);

  const statements = new Map<string, Database.Statement>();
  const prepare = <P extends unknown[] | Record<string, unknown> = unknown[], R = unknown>(
    sql: string,
  ): Database.Statement<P, R> => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  };

  return {
    db,
    path,
    prepare,
    transaction: (fn) => db.transaction(fn)(),
    migrate(module, migrations) {
      const ids = new Set<string>();
      for (const migration of migrations) {
        if (ids.has(migration.id)) throw new Error(`module ${module}: duplicate migration id "${migration.id}"`);
        ids.add(migration.id);
      }
      const applied = new Set(
        (db.prepare('SELECT id FROM _migrations WHERE module = ?').all(module) as { id: string }[]).map((r) => r.id),
      );
      const record = db.prepare('INSERT INTO _migrations (module, id, applied_at) VALUES (?, ?, ?)');
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        db.transaction(() => {
          db.exec(migration.up);
          record.run(module, migration.id, Date.now());
        })();
      }
    },
    close() {
      if (db.open) db.close();
    },
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
