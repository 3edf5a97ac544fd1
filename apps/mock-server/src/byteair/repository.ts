import type { Store } from '../store/store.js';
import { BYTEAIR_TABLES } from './schema.js';

/** Most rows of one kind `/_insight/state` shows (the most recent ones); totals are always exact. */
export const STATE_LIST_LIMIT = 1000;

/** An item of a callback, as stored. */
export interface StoredCallbackItem {
  id: string;
  pos: string;
  /** `reason` of the item's `extra` JSON, when given. */
  reason?: string;
  /** Whether the item counts as shown to the user (every reason but `filtered` or `filter`). */
  shown: boolean;
}

/** A predict call, as stored. */
export interface StoredPredict {
  requestId: string;
  headerRequestId: string | null;
  tenantId: string;
  app: string;
  scene: string;
  uid: string;
  items: string[];
  createdAt: number;
}

/** A callback, as stored. */
export interface NewCallback {
  tenantId: string;
  requestId: string | undefined;
  app: string;
  scene: string;
  uid: string;
  predictRequestId: string | undefined;
  items: StoredCallbackItem[];
  spm: string | undefined;
  unknownPredict: boolean;
  duplicate: boolean;
  createdAt: number;
}

interface PredictRow {
  request_id: string;
  header_request_id: string | null;
  tenant_id: string;
  app: string;
  scene: string;
  uid: string;
  items: string;
  created_at: number;
}

interface CallbackRow {
  seq: number;
  tenant_id: string;
  request_id: string | null;
  app: string;
  scene: string;
  uid: string;
  predict_request_id: string | null;
  items: string;
  spm: string | null;
  unknown_predict: number;
  duplicate: number;
  created_at: number;
}

/** The ByteAir module's SQL, in one place. Callers group calls in `store.transaction` where they must be atomic. */
export function createRepository(store: Store) {
  const s = {
    claimRequestId: store.prepare<[string, string, string, number]>(
      'INSERT OR IGNORE INTO byteair_request_ids (tenant_id, request_id, operation, created_at) VALUES (?, ?, ?, ?)',
    ),
    poolIds: store.prepare<[string], { id: string }>('SELECT id FROM byteair_items WHERE app = ?'),
    shownIds: store.prepare<[string, string], { item_id: string }>(
      'SELECT item_id FROM byteair_shown WHERE app = ? AND uid = ?',
    ),
    markShown: store.prepare<[string, string, string, number]>(
      'INSERT OR IGNORE INTO byteair_shown (app, uid, item_id, created_at) VALUES (?, ?, ?, ?)',
    ),
    insertPredict: store.prepare<[string, string | null, string, string, string, string, string, number]>(
      `INSERT INTO byteair_predicts (request_id, header_request_id, tenant_id, app, scene, uid, items, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    findPredict: store.prepare<[string, string, string], PredictRow>(
      `SELECT * FROM byteair_predicts WHERE tenant_id = ? AND (request_id = ? OR header_request_id = ?)
       ORDER BY created_at LIMIT 1`,
    ),
    countCallbacks: store.prepare<[string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM byteair_callbacks WHERE tenant_id = ? AND predict_request_id = ?',
    ),
    insertCallback: store.prepare(
      `INSERT INTO byteair_callbacks (tenant_id, request_id, app, scene, uid, predict_request_id, items, spm,
         unknown_predict, duplicate, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertItem: store.prepare<[string, string, string, number]>(
      `INSERT INTO byteair_items (app, id, data, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (app, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
    ),
    insertRecord: store.prepare<[string, string, string, number]>(
      'INSERT INTO byteair_records (app, topic, data, created_at) VALUES (?, ?, ?, ?)',
    ),
    insertWrite: store.prepare<[string, string, string, string | null, number | null, number, number, number]>(
      `INSERT INTO byteair_writes (tenant_id, app, topic, content_date, content_end, rows, refused, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertDone: store.prepare<[string, string, string | null, number]>(
      'INSERT INTO byteair_done (app, topic, body, created_at) VALUES (?, ?, ?, ?)',
    ),
  };

  return {
    /** Runs `fn` in one transaction. */
    transaction: <T>(fn: () => T): T => store.transaction(fn),
    /** Records a write's `Request-Id`; false when the tenant already used it (the write must not be applied). */
    claimRequestId(tenantId: string, requestId: string, operation: string, now: number): boolean {
      return s.claimRequestId.run(tenantId, requestId, operation, now).changes === 1;
    },
    poolIds: (app: string): string[] => s.poolIds.all(app).map((r) => r.id),
    shownIds: (app: string, uid: string): Set<string> => new Set(s.shownIds.all(app, uid).map((r) => r.item_id)),
    markShown(app: string, uid: string, itemIds: readonly string[], now: number): void {
      for (const id of itemIds) s.markShown.run(app, uid, id, now);
    },
    insertPredict(p: StoredPredict): void {
      s.insertPredict.run(
        p.requestId,
        p.headerRequestId,
        p.tenantId,
        p.app,
        p.scene,
        p.uid,
        JSON.stringify(p.items),
        p.createdAt,
      );
    },
    /** The tenant's predict call whose `request_id` (or, failing that, `Request-Id` header) is `id`. */
    findPredict(tenantId: string, id: string): StoredPredict | undefined {
      const row = s.findPredict.get(tenantId, id, id);
      return row && toPredict(row);
    },
    countCallbacks: (tenantId: string, predictRequestId: string): number =>
      s.countCallbacks.get(tenantId, predictRequestId)?.n ?? 0,
    insertCallback(c: NewCallback): void {
      s.insertCallback.run(
        c.tenantId,
        c.requestId ?? null,
        c.app,
        c.scene,
        c.uid,
        c.predictRequestId ?? null,
        JSON.stringify(c.items),
        c.spm ?? null,
        c.unknownPredict ? 1 : 0,
        c.duplicate ? 1 : 0,
        c.createdAt,
      );
    },
    /** Stores an item row (its JSON text) in the application's pool, replacing one with the same id. */
    upsertItem(app: string, id: string, json: string, now: number): void {
      s.upsertItem.run(app, id, json, now);
    },
    /** Keeps a row (its JSON text) of another topic, for inspection. */
    insertRecord(app: string, topic: string, json: string, now: number): void {
      s.insertRecord.run(app, topic, json, now);
    },
    /** Logs one applied write-data call. */
    insertWrite(w: StoredWrite): void {
      const end = w.contentEnd === undefined ? null : w.contentEnd ? 1 : 0;
      s.insertWrite.run(w.tenantId, w.app, w.topic, w.contentDate ?? null, end, w.rows, w.refused, w.createdAt);
    },
    insertDone(app: string, topic: string, body: string | null, now: number): void {
      s.insertDone.run(app, topic, body, now);
    },
    reset(): void {
      store.transaction(() => {
        for (const table of BYTEAIR_TABLES) store.db.exec(`DELETE FROM ${table}`);
      });
    },
    /** A JSON view for `/_insight/state`. */
    state() {
      const all = <T>(sql: string): T[] => store.prepare<[], T>(sql).all();
      const count = (table: string, where = 'TRUE'): number =>
        all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)[0]?.n ?? 0;
      // The most recent rows, oldest first, by insertion order (timestamps tie under a manual clock).
      const recent = (table: string): string =>
        `SELECT * FROM (SELECT rowid AS inserted, * FROM ${table} ORDER BY rowid DESC LIMIT ${STATE_LIST_LIMIT})
         ORDER BY inserted`;

      const items: Record<string, number> = {};
      for (const r of all<{ app: string; n: number }>('SELECT app, COUNT(*) AS n FROM byteair_items GROUP BY app')) {
        items[r.app] = r.n;
      }
      const records: Record<string, Record<string, number>> = {};
      for (const r of all<{ app: string; topic: string; n: number }>(
        'SELECT app, topic, COUNT(*) AS n FROM byteair_records GROUP BY app, topic',
      )) {
        records[r.app] = { ...records[r.app], [r.topic]: r.n };
      }
      const shown: Record<string, Record<string, string[]>> = {};
      for (const r of all<{ app: string; uid: string; item_id: string }>(
        'SELECT app, uid, item_id FROM byteair_shown ORDER BY app, uid, created_at, item_id',
      )) {
        const users = shown[r.app] ?? {};
        shown[r.app] = users;
        const list = users[r.uid] ?? [];
        users[r.uid] = list;
        list.push(r.item_id);
      }
      const callbacks = all<CallbackRow>(recent('byteair_callbacks')).map(toCallbackView);
      const flagged = (column: 'unknown_predict' | 'duplicate') =>
        all<{ seq: number; request_id: string | null; predict_request_id: string | null }>(
          `SELECT * FROM (SELECT seq, request_id, predict_request_id FROM byteair_callbacks WHERE ${column} = 1
           ORDER BY seq DESC LIMIT ${STATE_LIST_LIMIT}) ORDER BY seq`,
        ).map((r) => ({ seq: r.seq, requestId: r.request_id, predictRequestId: r.predict_request_id }));
      return {
        totals: {
          items: count('byteair_items'),
          records: count('byteair_records'),
          predicts: count('byteair_predicts'),
          callbacks: count('byteair_callbacks'),
          done: count('byteair_done'),
          writes: count('byteair_writes'),
        },
        items,
        records,
        shown,
        predicts: all<PredictRow>(recent('byteair_predicts')).map(toPredict),
        callbacks,
        done: all<{ app: string; topic: string; body: string | null; created_at: number }>(recent('byteair_done')).map(
          (r) => ({ app: r.app, topic: r.topic, body: r.body, at: new Date(r.created_at).toISOString() }),
        ),
        writes: all<WriteRow>(recent('byteair_writes')).map(toWriteView),
        // Over every callback, not only the listed ones: the most recent flagged ones, and how many there are.
        flags: {
          unknownPredictRequests: flagged('unknown_predict'),
          duplicateCallbacks: flagged('duplicate'),
          totals: {
            unknownPredictRequests: count('byteair_callbacks', 'unknown_predict = 1'),
            duplicateCallbacks: count('byteair_callbacks', 'duplicate = 1'),
          },
        },
      };
    },
  };
}

/** The ByteAir repository. */
export type Repository = ReturnType<typeof createRepository>;

function toPredict(row: PredictRow): StoredPredict {
  return {
    requestId: row.request_id,
    headerRequestId: row.header_request_id,
    tenantId: row.tenant_id,
    app: row.app,
    scene: row.scene,
    uid: row.uid,
    items: JSON.parse(row.items) as string[],
    createdAt: row.created_at,
  };
}

function toCallbackView(row: CallbackRow) {
  return {
    seq: row.seq,
    tenantId: row.tenant_id,
    requestId: row.request_id,
    app: row.app,
    scene: row.scene,
    uid: row.uid,
    predictRequestId: row.predict_request_id,
    items: JSON.parse(row.items) as StoredCallbackItem[],
    spm: row.spm,
    unknownPredictRequest: row.unknown_predict === 1,
    duplicateCallback: row.duplicate === 1,
    at: new Date(row.created_at).toISOString(),
  };
}

/** One applied write-data call. */
export interface StoredWrite {
  tenantId: string;
  app: string;
  topic: string;
  /** `Content-Date`, when sent. */
  contentDate: string | undefined;
  /** `Content-End`, when sent. */
  contentEnd: boolean | undefined;
  rows: number;
  refused: number;
  createdAt: number;
}

interface WriteRow {
  seq: number;
  tenant_id: string;
  app: string;
  topic: string;
  content_date: string | null;
  content_end: number | null;
  rows: number;
  refused: number;
  created_at: number;
}

function toWriteView(row: WriteRow) {
  return {
    seq: row.seq,
    tenantId: row.tenant_id,
    app: row.app,
    topic: row.topic,
    contentDate: row.content_date,
    contentEnd: row.content_end === null ? null : row.content_end === 1,
    rows: row.rows,
    refused: row.refused,
    at: new Date(row.created_at).toISOString(),
  };
}
