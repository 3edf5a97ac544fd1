import type { Migration } from '../store/store.js';

/** Tables of the ByteAir module. */
export const BYTEAIR_MIGRATIONS: Migration[] = [
  {
    id: '001-initial',
    up: `
      CREATE TABLE byteair_items (
        app TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (app, id)
      ) WITHOUT ROWID;

      -- Rows of topics other than "item" (users, behaviours): kept for inspection only.
      CREATE TABLE byteair_records (
        seq INTEGER PRIMARY KEY,
        app TEXT NOT NULL,
        topic TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE byteair_done (
        seq INTEGER PRIMARY KEY,
        app TEXT NOT NULL,
        topic TEXT NOT NULL,
        body TEXT,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE byteair_predicts (
        request_id TEXT PRIMARY KEY,
        header_request_id TEXT,
        tenant_id TEXT NOT NULL,
        app TEXT NOT NULL,
        scene TEXT NOT NULL,
        uid TEXT NOT NULL,
        items TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX byteair_predicts_header ON byteair_predicts (header_request_id);

      CREATE TABLE byteair_callbacks (
        seq INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        request_id TEXT,
        app TEXT NOT NULL,
        scene TEXT NOT NULL,
        uid TEXT NOT NULL,
        predict_request_id TEXT,
        items TEXT NOT NULL,
        spm TEXT,
        unknown_predict INTEGER NOT NULL,
        duplicate INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX byteair_callbacks_predict ON byteair_callbacks (predict_request_id);

      -- Items reported shown (kept or inserted) to a user: predict leaves them out.
      CREATE TABLE byteair_shown (
        app TEXT NOT NULL,
        uid TEXT NOT NULL,
        item_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app, uid, item_id)
      ) WITHOUT ROWID;

      -- Request-Id of every applied write, committed with the write itself: a replay answers 409 even after a crash.
      CREATE TABLE byteair_request_ids (
        tenant_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, request_id)
      ) WITHOUT ROWID;

      CREATE TABLE byteair_nonces (
        tenant_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, nonce)
      ) WITHOUT ROWID;
      CREATE INDEX byteair_nonces_ts ON byteair_nonces (ts);
    `,
  },
  {
    id: '002-writes',
    up: `
      -- One row per applied write-data call: the day it names (Content-Date), whether it closed the day
      -- (Content-End), and how many rows it carried and how many were refused.
      CREATE TABLE byteair_writes (
        seq INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        app TEXT NOT NULL,
        topic TEXT NOT NULL,
        content_date TEXT,
        content_end INTEGER,
        rows INTEGER NOT NULL,
        refused INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

/** Every table of the module, emptied by a reset. */
export const BYTEAIR_TABLES = [
  'byteair_items',
  'byteair_records',
  'byteair_done',
  'byteair_writes',
  'byteair_predicts',
  'byteair_callbacks',
  'byteair_shown',
  'byteair_request_ids',
  'byteair_nonces',
] as const;
