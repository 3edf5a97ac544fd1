/**
 * The Content Insight tables. Times are epoch milliseconds; `seq` (the posts' rowid) is what every other table refers
 * to, so that task items and marks stay small at a million posts.
 *
 * A post lives in two tables: `insight_posts` holds what scans read (time, status, the fields rules test), so that a
 * backtrack over a million posts reads as few pages as possible; `insight_post_docs` holds the `item_doc` JSON text
 * ready to send (without the per-delivery times), so that streams build events by concatenation.
 */
export const INSIGHT_MIGRATIONS = [
  {
    id: 'insight-001-initial',
    up: `
      CREATE TABLE insight_posts (
        seq INTEGER PRIMARY KEY,
        post_id TEXT NOT NULL UNIQUE,
        origin_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        publish_time INTEGER NOT NULL,
        title TEXT,
        asr TEXT,
        ocr TEXT,
        tags TEXT,
        poi_name TEXT,
        poi_city_name TEXT,
        based_location TEXT
      );
      CREATE INDEX insight_posts_by_time ON insight_posts (publish_time, seq);

      CREATE TABLE insight_post_docs (
        seq INTEGER PRIMARY KEY,
        status INTEGER NOT NULL,
        doc TEXT NOT NULL
      );

      CREATE TABLE insight_tokens (
        token TEXT PRIMARY KEY,
        biz TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX insight_tokens_by_biz ON insight_tokens (biz, expires_at);

      CREATE TABLE insight_backtrack_tasks (
        id INTEGER PRIMARY KEY,
        biz TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        rule TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        de_duplicate INTEGER NOT NULL,
        task_limit INTEGER NOT NULL,
        status TEXT NOT NULL,
        fail_reason TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        cursor_time INTEGER,
        cursor_seq INTEGER,
        hits INTEGER NOT NULL DEFAULT 0,
        slots INTEGER NOT NULL DEFAULT 0,
        UNIQUE (biz, task_id)
      );

      -- Slot s of a task is offset s / C of collector s % C (C collectors): a task writes its items in slot order,
      -- appending to the index, and a stream reads one collector by skipping the others' slots.
      CREATE TABLE insight_backtrack_items (
        task INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        post_seq INTEGER NOT NULL,
        PRIMARY KEY (task, slot)
      ) WITHOUT ROWID;

      CREATE TABLE insight_marks (
        biz TEXT NOT NULL,
        post_seq INTEGER NOT NULL,
        PRIMARY KEY (biz, post_seq)
      ) WITHOUT ROWID;

      CREATE TABLE insight_realtime_tasks (
        biz TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        rule TEXT NOT NULL,
        enable_status INTEGER NOT NULL,
        sync_mode INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (biz, task_id)
      );

      CREATE TABLE insight_realtime_hits (
        biz TEXT NOT NULL,
        collector INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        post_seq INTEGER NOT NULL,
        task_ids TEXT NOT NULL,
        sync INTEGER NOT NULL,
        ready_time TEXT NOT NULL,
        PRIMARY KEY (biz, collector, offset)
      ) WITHOUT ROWID;
      CREATE INDEX insight_realtime_hits_by_offset ON insight_realtime_hits (offset);

      CREATE TABLE insight_search_snapshots (
        id TEXT PRIMARY KEY,
        biz TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        total INTEGER NOT NULL,
        post_seqs TEXT NOT NULL
      );

      CREATE TABLE insight_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    // Marks get an insertion sequence (their rowid), so that a de-duplicating backtrack can keep the high-water mark
    // of the marks it leaves out, and rebuild exactly that set when it resumes after a restart. Tasks already running
    // take the marks as they are now: the closest set to the one they started with that can be known.
    id: 'insight-002-mark-sequence',
    up: `
      CREATE TABLE insight_marks_sequenced (
        id INTEGER PRIMARY KEY,
        biz TEXT NOT NULL,
        post_seq INTEGER NOT NULL,
        UNIQUE (biz, post_seq)
      );
      INSERT INTO insight_marks_sequenced (biz, post_seq) SELECT biz, post_seq FROM insight_marks;
      DROP TABLE insight_marks;
      ALTER TABLE insight_marks_sequenced RENAME TO insight_marks;

      ALTER TABLE insight_backtrack_tasks ADD COLUMN marks_upto INTEGER;
      UPDATE insight_backtrack_tasks SET marks_upto = (SELECT coalesce(max(id), 0) FROM insight_marks)
        WHERE de_duplicate = 1 AND status IN ('waiting', 'running') AND started_at IS NOT NULL;

      -- A business keeps a bounded number of search snapshots: the oldest are found by business.
      CREATE INDEX insight_search_snapshots_by_biz ON insight_search_snapshots (biz);
    `,
  },
];
