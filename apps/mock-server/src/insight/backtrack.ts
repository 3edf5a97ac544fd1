import { EventEmitter } from 'node:events';
import { INSIGHT_LIMITS } from '@insight/protocol';
import { type Rule, validateRule } from '@insight/rules';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import type { MarkSet, Marks } from './marks.js';
import { createRowMatcher, type RowMatcher } from './matcher.js';
import { POST_STATUS } from './post.js';
import { cursorAfter, type PostStore, type ScanCursor, scanStart, windowEnd } from './post-store.js';

/** Posts a backtrack slice reads before yielding to the event loop: a few ms of work, so the server stays responsive. */
export const BACKTRACK_SLICE_POSTS = 4_000;

/** How long a backtrack task's data can be consumed after it starts, in ms. */
export const BACKTRACK_EXPIRY_MS = INSIGHT_LIMITS.backtrackDataExpirySeconds * 1000;

/** A backtrack task's status. */
export type BacktrackStatus = 'waiting' | 'running' | 'finished' | 'failed';

/** A backtrack task as stored. */
export interface BacktrackTask {
  /** Row id: unique across businesses, the key of the task's items. */
  id: number;
  biz: string;
  taskId: number;
  rule: Rule;
  startTime: number;
  endTime: number;
  deDuplicate: boolean;
  limit: number;
  status: BacktrackStatus;
  failReason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Posts delivered (gaps excluded). */
  hits: number;
  /** Offsets assigned over all collectors, gaps included: slot `s` is offset `⌊s / C⌋` of collector `s mod C`. */
  slots: number;
}

/** What creating a backtrack task takes (validated by the caller). */
export interface BacktrackRequest {
  rule: Rule;
  /** `start_time`: the window starts at this second. */
  startTime: number;
  /** `end_time`: the window ends with this second, its last millisecond included. */
  endTime: number;
  deDuplicate: boolean;
  limit: number;
}

/** The backtrack engine: tasks, their asynchronous runs, and their items per collector. */
export interface BacktrackEngine {
  /** Stores a `waiting` task and schedules its run; returns the business's task id. */
  create(biz: string, request: BacktrackRequest): number;
  /** A task of a business. */
  get(biz: string, taskId: number): BacktrackTask | undefined;
  /** Max offset of each collector (gaps included), -1 for a collector with none yet. */
  collectorMaxOffsets(task: BacktrackTask): number[];
  /** When the task's data stops being consumable, or undefined before it starts. */
  expiresAt(task: BacktrackTask): number | undefined;
  /**
   * Roughly counts the public posts a rule matches in a window: exact up to 50 000 posts, beyond that estimated from
   * the newest 1 000 posts of each of 50 equal sub-windows, so that it costs the same at any size.
   */
  preview(biz: string, request: Omit<BacktrackRequest, 'limit'>): number;
  /** Emits `progress` with the task row id after every slice and state change. */
  readonly events: EventEmitter;
  /** Resumes tasks left `waiting` or `running` (after a restart) and starts running. */
  start(): void;
  /** Stops running after the current slice. */
  stop(): void;
  /** Forgets every run in progress (after a reset of the tables): a task created next starts afresh. */
  clear(): void;
}

/** Options of {@link createBacktrackEngine}. */
export interface BacktrackEngineOptions {
  store: Store;
  clock: Clock;
  posts: PostStore;
  marks: Marks;
  /** Collectors per task. */
  collectors: number;
  /** Posts per slice. @default BACKTRACK_SLICE_POSTS */
  slicePosts?: number;
  log(message: string): void;
}

interface TaskRow {
  id: number;
  biz: string;
  task_id: number;
  rule: string;
  start_time: number;
  end_time: number;
  de_duplicate: number;
  task_limit: number;
  status: BacktrackStatus;
  fail_reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  cursor_time: number | null;
  cursor_seq: number | null;
  hits: number;
  slots: number;
  marks_upto: number | null;
}

function toTask(row: TaskRow): BacktrackTask {
  return {
    id: row.id,
    biz: row.biz,
    taskId: row.task_id,
    rule: JSON.parse(row.rule) as Rule,
    startTime: row.start_time,
    endTime: row.end_time,
    deDuplicate: row.de_duplicate === 1,
    limit: row.task_limit,
    status: row.status,
    failReason: row.fail_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    hits: row.hits,
    slots: row.slots,
  };
}

/** Above this many posts in a window, preview samples instead of matching every post. */
const PREVIEW_EXACT_POSTS = 50_000;

/** Sub-windows of equal span a sampled preview reads the newest posts of: PREVIEW_EXACT_POSTS posts in all. */
const PREVIEW_STRATA = 50;

/** What a running task keeps between slices: compiled once, and again after a restart. */
interface TaskRun {
  matcher: RowMatcher;
  /**
   * The business's de-duplication marks when the task's first slice ran (rebuilt from `marksUpTo` after a restart);
   * none without `de_duplicate`.
   */
  marks: MarkSet;
  /** The marks' high-water mark, stored with the first slice; null without `de_duplicate`. */
  marksUpTo: number | null;
}

const NO_MARKS: MarkSet = { has: () => false };

/** Creates the backtrack engine. */
export function createBacktrackEngine(options: BacktrackEngineOptions): BacktrackEngine {
  const { store, clock, posts, marks, collectors, log } = options;
  const slicePosts = options.slicePosts ?? BACKTRACK_SLICE_POSTS;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const runs = new Map<number, TaskRun>();
  let running = false;
  let scheduled: NodeJS.Immediate | undefined;

  function runOf(task: TaskRow): TaskRun {
    let run = runs.get(task.id);
    if (run === undefined) {
      const checked = validateRule(JSON.parse(task.rule), { kind: 'backtrack' });
      if (!checked.ok) throw new Error(`stored rule no longer validates: ${checked.errors[0]?.message}`);
      // The marks a de-duplicating task leaves out are those recorded before its first slice, on every run of it.
      const marksUpTo = task.de_duplicate === 1 ? (task.marks_upto ?? marks.highWater()) : null;
      run = {
        matcher: createRowMatcher(checked.rule, checked.stats.fields),
        marks: marksUpTo === null ? NO_MARKS : marks.snapshot(task.biz, marksUpTo),
        marksUpTo,
      };
      runs.set(task.id, run);
    }
    return run;
  }

  function schedule(): void {
    if (!running || scheduled !== undefined) return;
    scheduled = setImmediate(() => {
      scheduled = undefined;
      const more = step();
      if (more) schedule();
    });
  }

  /** Runs one slice of the oldest unfinished task; returns whether work remains. */
  function step(): boolean {
    const row = store
      .prepare<[], TaskRow>(
        "SELECT * FROM insight_backtrack_tasks WHERE status IN ('waiting', 'running') ORDER BY id LIMIT 1",
      )
      .get();
    if (row === undefined) return false;
    try {
      runSlice(row);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log(`insight: backtrack task ${row.biz}/${row.task_id} failed: ${reason}`);
      store
        .prepare("UPDATE insight_backtrack_tasks SET status = 'failed', fail_reason = ?, finished_at = ? WHERE id = ?")
        .run(reason, clock.now(), row.id);
      runs.delete(row.id);
    }
    events.emit('progress', row.id);
    return true;
  }

  function runSlice(row: TaskRow): void {
    const now = clock.now();
    if (row.started_at !== null && now >= row.started_at + BACKTRACK_EXPIRY_MS) {
      throw new Error('the task data expired before the backtrack could finish');
    }
    const { matcher, marks: marked, marksUpTo } = runOf(row);
    const cursor: ScanCursor =
      row.cursor_time === null
        ? scanStart(windowEnd(row.end_time))
        : { publishTime: row.cursor_time, seq: row.cursor_seq ?? 0 };
    const batch = posts.scan(row.start_time, cursor, slicePosts, matcher.columns);
    const insertItem = store.prepare('INSERT INTO insight_backtrack_items (task, slot, post_seq) VALUES (?, ?, ?)');
    // Items and the cursor commit together: after a crash the task resumes exactly after the last committed slice.
    store.transaction(() => {
      let { hits, slots } = row;
      let last = cursor;
      for (const post of batch) {
        if (hits >= row.task_limit) break;
        last = cursorAfter(post);
        if (!matcher.match(post)) continue;
        const seq = post[0] as number;
        if (marked.has(seq)) continue;
        const slot = slots++;
        // A matching post that is deleted or withheld keeps its offset, unsent: the gaps the service documents.
        if (post[2] !== POST_STATUS.public) continue;
        insertItem.run(row.id, slot, seq);
        hits++;
      }
      const done = hits >= row.task_limit || batch.length < slicePosts;
      store
        .prepare(
          `UPDATE insight_backtrack_tasks SET status = ?, started_at = coalesce(started_at, ?), finished_at = ?,
             cursor_time = ?, cursor_seq = ?, hits = ?, slots = ?, marks_upto = coalesce(marks_upto, ?) WHERE id = ?`,
        )
        .run(
          done ? 'finished' : 'running',
          now,
          done ? now : null,
          last.publishTime,
          last.seq,
          hits,
          slots,
          marksUpTo,
          row.id,
        );
      if (done) runs.delete(row.id);
    });
  }

  return {
    events,
    create(biz, request) {
      const id = store.transaction(() => {
        // The items of tasks whose data expired can no longer be read: each new task clears them away, so that the
        // store does not grow by every task ever run.
        store
          .prepare(
            `DELETE FROM insight_backtrack_items WHERE task IN (SELECT id FROM insight_backtrack_tasks
               WHERE started_at IS NOT NULL AND started_at + ? <= ?)`,
          )
          .run(BACKTRACK_EXPIRY_MS, clock.now());
        const next =
          (store
            .prepare<[string], number>('SELECT max(task_id) FROM insight_backtrack_tasks WHERE biz = ?')
            .pluck()
            .get(biz) ?? 0) + 1;
        store
          .prepare(
            `INSERT INTO insight_backtrack_tasks (biz, task_id, rule, start_time, end_time, de_duplicate, task_limit,
               status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?)`,
          )
          .run(
            biz,
            next,
            JSON.stringify(request.rule),
            request.startTime,
            request.endTime,
            request.deDuplicate ? 1 : 0,
            request.limit,
            clock.now(),
          );
        return next;
      });
      schedule();
      return id;
    },
    get(biz, taskId) {
      const row = store
        .prepare<[string, number], TaskRow>('SELECT * FROM insight_backtrack_tasks WHERE biz = ? AND task_id = ?')
        .get(biz, taskId);
      return row === undefined ? undefined : toTask(row);
    },
    collectorMaxOffsets(task) {
      return Array.from({ length: collectors }, (_, c) =>
        task.slots > c ? Math.ceil((task.slots - c) / collectors) - 1 : -1,
      );
    },
    expiresAt(task) {
      return task.startedAt === null ? undefined : task.startedAt + BACKTRACK_EXPIRY_MS;
    },
    preview(biz, request) {
      const checked = validateRule(request.rule, { kind: 'backtrack' });
      if (!checked.ok) throw new Error('preview takes a validated rule');
      const matcher = createRowMatcher(checked.rule, checked.stats.fields);
      const marked = request.deDuplicate ? marks.snapshot(biz) : NO_MARKS;
      const { startTime } = request;
      const endTime = windowEnd(request.endTime);
      const strata = posts.countBetween(startTime, endTime) <= PREVIEW_EXACT_POSTS ? 1 : PREVIEW_STRATA;
      const bound = (k: number): number => startTime + Math.round((k * (endTime + 1 - startTime)) / strata);
      let estimate = 0;
      for (let k = 0; k < strata; k++) {
        const from = bound(k);
        const to = bound(k + 1) - 1;
        const inStratum = posts.countBetween(from, to);
        const quota = strata === 1 ? inStratum : PREVIEW_EXACT_POSTS / strata;
        let read = 0;
        let hits = 0;
        for (let cursor = scanStart(to); read < quota; ) {
          const batch = posts.scan(from, cursor, Math.min(slicePosts, quota - read), matcher.columns);
          for (const post of batch) {
            if (post[2] === POST_STATUS.public && matcher.match(post) && !marked.has(post[0] as number)) hits++;
          }
          read += batch.length;
          if (batch.length === 0) break;
          cursor = cursorAfter(batch[batch.length - 1]!);
        }
        if (read > 0) estimate += (hits * inStratum) / read;
      }
      return Math.round(estimate);
    },
    start() {
      running = true;
      schedule();
    },
    stop() {
      running = false;
      if (scheduled !== undefined) clearImmediate(scheduled);
      scheduled = undefined;
    },
    clear() {
      runs.clear();
      if (scheduled !== undefined) clearImmediate(scheduled);
      scheduled = undefined;
    },
  };
}
