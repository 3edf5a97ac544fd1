import type { RuleFieldProperty } from '@insight/rules';
import type { Database, Statement } from 'better-sqlite3';
import { type StoredDoc, storedDocText } from './item-doc.js';
import type { InsightPost } from './post.js';

/** A scan position: the next batch holds posts strictly older than this `(publishTime, seq)` pair. */
export interface ScanCursor {
  publishTime: number;
  seq: number;
}

/** Posts per transaction when loading a corpus: large enough to amortise commits, small enough to stay responsive. */
export const POST_INSERT_BATCH = 20_000;

/**
 * The last millisecond of the second `end` falls in. A window given in seconds (`start_time`, `end_time`) covers whole
 * seconds at both ends, while posts are timed to the millisecond: a window's last post may be published at
 * `end_time` + 999 ms.
 */
export function windowEnd(end: number): number {
  return Math.floor(end / 1000) * 1000 + 999;
}

/** The cursor that starts a newest-first scan at `end` inclusive. */
export function scanStart(end: number): ScanCursor {
  return { publishTime: end, seq: Number.MAX_SAFE_INTEGER };
}

/** A column of `insight_posts` that rules read, named after the `item_doc` property it holds (`RULE_FIELD_INFO`). */
export type PostColumn = RuleFieldProperty;

/**
 * A row of a scan as SQLite hands it over, without building an object: `[seq, publish_time, status, ...columns]`,
 * the columns in the order the scan asked for them (`tags` still its JSON text).
 */
export type ScanRow = unknown[];

/** Index of the first asked column in a {@link ScanRow}. */
export const SCAN_ROW_COLUMNS = 3;

/** Repository of posts. */
export interface PostStore {
  /** Inserts or updates posts (keyed by `postId`) in batched transactions; returns how many were written. */
  upsert(posts: Iterable<InsightPost>): number;
  /** Inserts or updates one post in the caller's transaction; returns its row sequence. */
  put(post: InsightPost): number;
  /** The stored document of a post by Insight id. */
  byPostId(postId: string): StoredDoc | undefined;
  /** Stored documents by row sequence, in the order asked; missing ones are left out. */
  bySeqs(seqs: readonly number[]): StoredDoc[];
  /**
   * The next batch of a newest-first scan of `[start, cursor)`, at most `size` rows holding `seq`, `publish_time`,
   * `status` and the given columns only (decoding every text column would multiply the cost of a scan).
   */
  scan(start: number, cursor: ScanCursor, size: number, columns: readonly PostColumn[]): ScanRow[];
  /** Number of stored posts in `[start, end]`. */
  countBetween(start: number, end: number): number;
  /** Number of stored posts. */
  count(): number;
}

/** Creates the posts repository over an open database holding the Insight tables. */
export function createPostStore(db: Database): PostStore {
  const upsertStmt = db
    .prepare(`
    INSERT INTO insight_posts (post_id, origin_id, status, publish_time, title, asr, ocr, tags, poi_name,
      poi_city_name, based_location)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (post_id) DO UPDATE SET origin_id = excluded.origin_id, status = excluded.status,
      publish_time = excluded.publish_time, title = excluded.title, asr = excluded.asr, ocr = excluded.ocr,
      tags = excluded.tags, poi_name = excluded.poi_name, poi_city_name = excluded.poi_city_name,
      based_location = excluded.based_location
    RETURNING seq`)
    .pluck() as Statement<unknown[], number>;
  const docStmt = db.prepare('INSERT OR REPLACE INTO insight_post_docs (seq, status, doc) VALUES (?, ?, ?)');
  const byPostIdStmt = db.prepare(
    `SELECT d.seq, d.status, d.doc FROM insight_posts p JOIN insight_post_docs d ON d.seq = p.seq
     WHERE p.post_id = ?`,
  ) as Statement<[string], StoredDoc>;
  const bySeqsStmt = db.prepare(
    'SELECT seq, status, doc FROM insight_post_docs WHERE seq IN (SELECT value FROM json_each(?))',
  ) as Statement<[string], StoredDoc>;
  const scans = new Map<string, Statement<[number, number, number, number], ScanRow>>();
  const scanStatement = (columns: readonly PostColumn[]) => {
    const key = columns.join(',');
    let statement = scans.get(key);
    if (statement === undefined) {
      const extra = columns.map((column) => `, ${column}`).join('');
      // `raw`: arrays instead of one object per row, the cheapest shape better-sqlite3 can hand over.
      statement = db
        .prepare(`
        SELECT seq, publish_time, status${extra} FROM insight_posts
        WHERE publish_time >= ? AND (publish_time, seq) < (?, ?)
        ORDER BY publish_time DESC, seq DESC LIMIT ?`)
        .raw(true) as Statement<[number, number, number, number], ScanRow>;
      scans.set(key, statement);
    }
    return statement;
  };
  const countBetweenStmt = db
    .prepare('SELECT count(*) FROM insight_posts WHERE publish_time >= ? AND publish_time <= ?')
    .pluck() as Statement<[number, number], number>;
  const countStmt = db.prepare('SELECT count(*) FROM insight_posts').pluck() as Statement<[], number>;

  const put = (post: InsightPost): number => {
    const seq = upsertStmt.get(
      post.postId,
      post.originId,
      post.status,
      post.publishTime,
      post.title ?? null,
      post.asr ?? null,
      post.ocr ?? null,
      post.tags === undefined ? null : JSON.stringify(post.tags),
      post.poiName ?? null,
      post.poiCityName ?? null,
      post.basedLocation ?? null,
    ) as number;
    docStmt.run(seq, post.status, storedDocText(post));
    return seq;
  };
  return {
    upsert(posts) {
      // Posts are written as they are drawn, a batch per transaction: a generated corpus never sits in memory, and
      // each post dies young (cheap for the garbage collector) instead of waiting in a batch.
      const iterator = posts[Symbol.iterator]();
      let written = 0;
      let more = true;
      const writeBatch = db.transaction(() => {
        for (let n = 0; n < POST_INSERT_BATCH; n++) {
          const next = iterator.next();
          if (next.done === true) {
            more = false;
            return;
          }
          put(next.value);
          written++;
        }
      });
      while (more) writeBatch();
      return written;
    },
    put,
    byPostId(postId) {
      return byPostIdStmt.get(postId);
    },
    bySeqs(seqs) {
      if (seqs.length === 0) return [];
      const found = new Map<number, StoredDoc>();
      for (const row of bySeqsStmt.all(JSON.stringify(seqs))) found.set(row.seq, row);
      return seqs.flatMap((seq) => found.get(seq) ?? []);
    },
    scan(start, cursor, size, columns) {
      return scanStatement(columns).all(start, cursor.publishTime, cursor.seq, size);
    },
    countBetween(start, end) {
      return countBetweenStmt.get(start, end) as number;
    },
    count() {
      return countStmt.get() as number;
    },
  };
}

/** The cursor after the last row of a scan batch. */
export function cursorAfter(row: ScanRow): ScanCursor {
  return { publishTime: row[1] as number, seq: row[0] as number };
}
