import type { RuleDocument } from '@insight/rules';
import type { Database, Statement } from 'better-sqlite3';
import { POST_STATUS, type InsightPost } from './post.js';

/** A stored post with its row sequence, the key every task item and mark refers to. */
export interface StoredPost extends InsightPost {
  /** Row id in `insight_posts`. */
  seq: number;
}

/** A scan position: the next batch holds posts strictly older than this `(publishTime, seq)` pair. */
export interface ScanCursor {
  publishTime: number;
  seq: number;
}

/** Posts per transaction when loading a corpus: large enough to amortise commits, small enough to stay responsive. */
export const POST_INSERT_BATCH = 20_000;

/** The cursor that starts a newest-first scan at `end` inclusive. */
export function scanStart(end: number): ScanCursor {
  return { publishTime: end, seq: Number.MAX_SAFE_INTEGER };
}

/** A row of `insight_posts` with all its columns. */
export interface PostRow {
  seq: number;
  post_id: string;
  origin_id: string;
  status: number;
  publish_time: number;
  create_time: number;
  update_time: number;
  title: string | null;
  asr: string | null;
  ocr: string | null;
  tags: string | null;
  poi_name: string | null;
  poi_city_name: string | null;
  based_location: string | null;
  author: string | null;
  anchor: string | null;
  url: string | null;
  domain: string | null;
  main_domain: string | null;
}

const COLUMNS =
  'seq, post_id, origin_id, status, publish_time, create_time, update_time, title, asr, ocr, tags, poi_name, ' +
  'poi_city_name, based_location, author, anchor, url, domain, main_domain';

/** The same columns qualified by the `p` alias, for joins. */
export const POST_COLUMNS_P = COLUMNS.split(', ')
  .map((column) => `p.${column}`)
  .join(', ');

/** A column of `insight_posts` that rules read; the names match the `item_doc` properties rules look at. */
export type PostColumn =
  | 'post_id'
  | 'origin_id'
  | 'title'
  | 'asr'
  | 'ocr'
  | 'tags'
  | 'poi_name'
  | 'poi_city_name'
  | 'based_location';

/** A row of a scan, readable by rules as it is once `tags` (still its JSON text here) is parsed. */
export interface ScanRow extends RuleDocument {
  seq: number;
  publish_time: number;
  status: number;
}

/** Converts a row of `insight_posts` (selected with all its columns) to a post. */
export function rowToPost(row: PostRow): StoredPost {
  const post: StoredPost = {
    seq: row.seq,
    postId: row.post_id,
    originId: row.origin_id,
    status: row.status as InsightPost['status'],
    publishTime: row.publish_time,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
  if (row.title !== null) post.title = row.title;
  if (row.asr !== null) post.asr = row.asr;
  if (row.ocr !== null) post.ocr = row.ocr;
  if (row.tags !== null) post.tags = JSON.parse(row.tags) as string[];
  if (row.poi_name !== null) post.poiName = row.poi_name;
  if (row.poi_city_name !== null) post.poiCityName = row.poi_city_name;
  if (row.based_location !== null) post.basedLocation = row.based_location;
  if (row.author !== null) post.author = row.author;
  if (row.anchor !== null) post.anchor = row.anchor;
  if (row.url !== null) post.url = row.url;
  if (row.domain !== null) post.domain = row.domain;
  if (row.main_domain !== null) post.mainDomain = row.main_domain;
  return post;
}

/** Repository of posts. */
export interface PostStore {
  /** Inserts or updates posts (keyed by `postId`) in batched transactions; returns how many were written. */
  upsert(posts: Iterable<InsightPost>): number;
  /** One post by Insight id. */
  byPostId(postId: string): StoredPost | undefined;
  /** Posts by row sequence, in the order asked; missing ones are left out. */
  bySeqs(seqs: readonly number[]): StoredPost[];
  /**
   * The next batch of a newest-first scan of `[start, cursor)`, at most `size` rows holding `seq`, `publish_time`,
   * `status` and the given columns only: decoding every text column would triple the cost of a scan. With `every`
   * above 1, only posts whose `seq` is a multiple of it are read (a sample).
   */
  scan(start: number, cursor: ScanCursor, size: number, columns: readonly PostColumn[], every?: number): ScanRow[];
  /** Number of stored posts. */
  count(): number;
  /** Removes every post. */
  clear(): void;
}

/** Creates the posts repository over an open database holding the Insight tables. */
export function createPostStore(db: Database): PostStore {
  const upsertStmt = db.prepare(`
    INSERT INTO insight_posts (post_id, origin_id, status, publish_time, create_time, update_time, title, asr, ocr,
      tags, poi_name, poi_city_name, based_location, author, anchor, url, domain, main_domain)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (post_id) DO UPDATE SET origin_id = excluded.origin_id, status = excluded.status,
      publish_time = excluded.publish_time, create_time = excluded.create_time, update_time = excluded.update_time,
      title = excluded.title, asr = excluded.asr, ocr = excluded.ocr, tags = excluded.tags,
      poi_name = excluded.poi_name, poi_city_name = excluded.poi_city_name, based_location = excluded.based_location,
      author = excluded.author, anchor = excluded.anchor, url = excluded.url, domain = excluded.domain,
      main_domain = excluded.main_domain`);
  const byPostIdStmt = db.prepare(`SELECT ${COLUMNS} FROM insight_posts WHERE post_id = ?`) as Statement<
    [string],
    PostRow
  >;
  const bySeqsStmt = db.prepare(
    `SELECT ${COLUMNS} FROM insight_posts WHERE seq IN (SELECT value FROM json_each(?))`,
  ) as Statement<[string], PostRow>;
  const scans = new Map<string, Statement<[number, number, number, number, number], ScanRow>>();
  const scanStatement = (columns: readonly PostColumn[]) => {
    const key = columns.join(',');
    let statement = scans.get(key);
    if (statement === undefined) {
      const extra = columns.map((column) => `, ${column}`).join('');
      statement = db.prepare(`
        SELECT seq, publish_time, status${extra} FROM insight_posts
        WHERE publish_time >= ? AND (publish_time, seq) < (?, ?) AND seq % ? = 0
        ORDER BY publish_time DESC, seq DESC LIMIT ?`) as Statement<[number, number, number, number, number], ScanRow>;
      scans.set(key, statement);
    }
    return statement;
  };
  const countStmt = db.prepare('SELECT count(*) AS n FROM insight_posts').pluck() as Statement<[], number>;

  const insertBatch = db.transaction((batch: InsightPost[]) => {
    for (const post of batch) {
      upsertStmt.run(
        post.postId,
        post.originId,
        post.status,
        post.publishTime,
        post.createTime,
        post.updateTime,
        post.title ?? null,
        post.asr ?? null,
        post.ocr ?? null,
        post.tags === undefined ? null : JSON.stringify(post.tags),
        post.poiName ?? null,
        post.poiCityName ?? null,
        post.basedLocation ?? null,
        post.author ?? null,
        post.anchor ?? null,
        post.url ?? null,
        post.domain ?? null,
        post.mainDomain ?? null,
      );
    }
  });

  return {
    upsert(posts) {
      let batch: InsightPost[] = [];
      let written = 0;
      for (const post of posts) {
        batch.push(post);
        if (batch.length === POST_INSERT_BATCH) {
          insertBatch(batch);
          written += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) insertBatch(batch);
      return written + batch.length;
    },
    byPostId(postId) {
      const row = byPostIdStmt.get(postId);
      return row === undefined ? undefined : rowToPost(row);
    },
    bySeqs(seqs) {
      if (seqs.length === 0) return [];
      const found = new Map<number, StoredPost>();
      for (const row of bySeqsStmt.all(JSON.stringify(seqs))) found.set(row.seq, rowToPost(row));
      return seqs.flatMap((seq) => found.get(seq) ?? []);
    },
    scan(start, cursor, size, columns, every = 1) {
      return scanStatement(columns).all(start, cursor.publishTime, cursor.seq, every, size);
    },
    count() {
      return countStmt.get() as number;
    },
    clear() {
      db.exec('DELETE FROM insight_posts');
    },
  };
}

/** Whether a post is public: only those are matched by rules and served with their content. */
export function isPublic(post: InsightPost): boolean {
  return post.status === POST_STATUS.public;
}
