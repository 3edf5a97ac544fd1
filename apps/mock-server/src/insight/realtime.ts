import { EventEmitter } from 'node:events';
import { formatInsightTime, INSIGHT_LIMITS } from '@insight/protocol';
import { compileRule, RULE_FIELD_INFO, RULE_FIELDS, type Rule, type RuleDocument } from '@insight/rules';
import type { Clock } from '../core/clock.js';
import { createRandom, fnv1a } from '../core/random.js';
import type { Store } from '../store/store.js';
import { generatePost } from './corpus.js';
import type { Marks } from './marks.js';
import { createMeta } from './meta.js';
import type { InsightPost } from './post.js';
import type { PostStore } from './post-store.js';
import type { RealtimeHitsEvent } from './streams.js';

/** How long realtime hits stay consumable, in ms. */
export const REALTIME_RETENTION_MS = INSIGHT_LIMITS.realtimeReplaySeconds * 1000;

/** How often the firehose wakes up to publish the posts due, in ms. */
export const FIREHOSE_TICK_MS = 100;

/** A realtime subscription task. */
export interface RealtimeTask {
  taskId: number;
  rule: Rule;
  /** 1 on, 0 off. */
  enableStatus: 0 | 1;
  /** Synchronous tasks (no `tags`) deliver hits to `sync_only` streams too. */
  syncMode: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Changes of {@link RealtimeEngine.update}. */
export interface RealtimeTaskChanges {
  rule?: Rule;
  enableStatus?: 0 | 1;
  syncMode?: boolean;
}

/** Realtime subscriptions, the live firehose, and the hits delivered to collectors. */
export interface RealtimeEngine {
  /** Stores a task (enabled); returns its id. The caller checks the quota with {@link RealtimeEngine.count}. */
  create(biz: string, rule: Rule, syncMode: boolean): number;
  /** Applies changes to a task; false when the task does not exist. */
  update(biz: string, taskId: number, changes: RealtimeTaskChanges): boolean;
  get(biz: string, taskId: number): RealtimeTask | undefined;
  list(biz: string): RealtimeTask[];
  /** Tasks of a business. */
  count(biz: string): number;
  /**
   * Publishes new posts now: stores them, matches them against every enabled task and records one hit per business
   * whose tasks match, in one transaction with `inSameTransaction` when given. Returns the number of hits recorded.
   */
  publish(posts: readonly InsightPost[], inSameTransaction?: () => void): number;
  /** Emits `hits` with a {@link RealtimeHitsEvent} (the business and the collectors hit) whenever hits are recorded. */
  readonly events: EventEmitter;
  /** Starts the firehose (when its rate is above 0) and the periodic retention sweep (every publish sweeps too). */
  start(): void;
  stop(): void;
  /** Forgets compiled rules and collector positions (after a reset of the tables). */
  clear(): void;
}

/** Options of {@link createRealtimeEngine}. */
export interface RealtimeEngineOptions {
  store: Store;
  clock: Clock;
  posts: PostStore;
  marks: Marks;
  collectors: number;
  /** Posts per second of the live firehose; 0 turns it off. */
  firehoseRate: number;
  /** Seed of the firehose's posts. */
  seed: number;
}

interface TaskRow {
  task_id: number;
  rule: string;
  enable_status: number;
  sync_mode: number;
  created_at: number;
  updated_at: number;
}

function toTask(row: TaskRow): RealtimeTask {
  return {
    taskId: row.task_id,
    rule: JSON.parse(row.rule) as Rule,
    enableStatus: row.enable_status === 1 ? 1 : 0,
    syncMode: row.sync_mode === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface LiveTask {
  biz: string;
  taskId: number;
  sync: boolean;
  match(doc: RuleDocument): boolean;
}

/** The {@link InsightPost} property holding an `item_doc` property: its camelCase form (`poi_name` → `poiName`). */
type PostKey<P extends string> = P extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<PostKey<Tail>>}` : P;

/** Each `item_doc` property rules read (`RULE_FIELD_INFO`), with the post property holding it. */
const RULE_PROPERTIES = RULE_FIELDS.map((field) => {
  const { property } = RULE_FIELD_INFO[field];
  const key = property.replace(/_(.)/g, (_, letter: string) => letter.toUpperCase()) as PostKey<typeof property>;
  return { property, key };
});

/** The `item_doc` properties rules read, from a post. */
export function ruleDocument(post: InsightPost): RuleDocument {
  const doc: Record<string, unknown> = {};
  for (const { property, key } of RULE_PROPERTIES) doc[property] = post[key];
  return doc;
}

/** Spreads posts over collectors the same way on every run. */
function collectorOf(postId: string, collectors: number): number {
  return fnv1a(postId) % collectors;
}

/** Creates the realtime engine. */
export function createRealtimeEngine(options: RealtimeEngineOptions): RealtimeEngine {
  const { store, clock, posts, marks, collectors } = options;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let live: LiveTask[] | undefined;
  const lastOffsets = new Map<string, number>();
  let firehose: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;

  function liveTasks(): LiveTask[] {
    live ??= store
      .prepare<[], TaskRow & { biz: string }>('SELECT * FROM insight_realtime_tasks WHERE enable_status = 1')
      .all()
      .map((row) => {
        const compiled = compileRule(JSON.parse(row.rule) as Rule);
        return { biz: row.biz, taskId: row.task_id, sync: row.sync_mode === 1, match: (doc) => compiled.match(doc) };
      });
    return live;
  }

  /**
   * The next offset of a collector: the hit time in ms, bumped past the collector's last one so that offsets stay
   * unique and increasing and a consumer resumes exactly with `start_offset = last + 1`.
   */
  function nextOffset(biz: string, collector: number, now: number): number {
    const key = `${biz}\u0000${collector}`;
    let last = lastOffsets.get(key);
    if (last === undefined) {
      last =
        store
          .prepare<[string, number], number>(
            'SELECT max(offset) FROM insight_realtime_hits WHERE biz = ? AND collector = ?',
          )
          .pluck()
          .get(biz, collector) ?? -1;
    }
    const offset = Math.max(now, last + 1);
    lastOffsets.set(key, offset);
    return offset;
  }

  /** Deletes the hits older than the retention, by the emulator's clock. */
  function sweepHits(): void {
    store.prepare('DELETE FROM insight_realtime_hits WHERE offset < ?').run(clock.now() - REALTIME_RETENTION_MS);
  }

  function publish(batch: readonly InsightPost[], inSameTransaction?: () => void): number {
    const tasks = liveTasks();
    const now = clock.now();
    const hitSeqs = new Map<string, number[]>();
    const hitCollectors = new Map<string, Set<number>>();
    let recorded = 0;
    store.transaction(() => {
      // Retention follows the emulator's clock: a test that moves a manual clock past it sees the old hits go at the
      // next publish, without waiting for the periodic sweep.
      sweepHits();
      const insertHit = store.prepare(
        `INSERT INTO insight_realtime_hits (biz, collector, offset, post_seq, task_ids, sync, ready_time)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const post of batch) {
        const seq = posts.put(post);
        const doc = ruleDocument(post);
        const hitsByBiz = new Map<string, LiveTask[]>();
        for (const task of tasks) {
          if (!task.match(doc)) continue;
          const list = hitsByBiz.get(task.biz);
          if (list === undefined) hitsByBiz.set(task.biz, [task]);
          else list.push(task);
        }
        if (hitsByBiz.size === 0) continue;
        const collector = collectorOf(post.postId, collectors);
        for (const [biz, hit] of hitsByBiz) {
          const taskIds = JSON.stringify(hit.map((task) => task.taskId));
          const offset = nextOffset(biz, collector, now);
          const sync = hit.some((t) => t.sync) ? 1 : 0;
          insertHit.run(biz, collector, offset, seq, taskIds, sync, formatInsightTime(offset));
          const seqs = hitSeqs.get(biz);
          if (seqs === undefined) hitSeqs.set(biz, [seq]);
          else seqs.push(seq);
          const hitIn = hitCollectors.get(biz);
          if (hitIn === undefined) hitCollectors.set(biz, new Set([collector]));
          else hitIn.add(collector);
          recorded++;
        }
      }
      // A post hit by a realtime task is not backtracked again by a de-duplicating task.
      for (const [biz, seqs] of hitSeqs) marks.record(biz, seqs);
      inSameTransaction?.();
    });
    for (const [biz, hitIn] of hitCollectors) {
      const event: RealtimeHitsEvent = { biz, collectors: hitIn };
      events.emit('hits', event);
    }
    return recorded;
  }

  function startFirehose(): void {
    if (options.firehoseRate <= 0) return;
    const counterKey = 'firehose_next_index';
    const meta = createMeta(store);
    let index = Number(meta.get(counterKey) ?? 0);
    // A new random stream per start, seeded by where the previous run stopped: replays identically for a seed.
    const random = createRandom(`${options.seed}:firehose:${index}`);
    let due = 0;
    firehose = setInterval(() => {
      due += (options.firehoseRate * FIREHOSE_TICK_MS) / 1000;
      const count = Math.floor(due);
      if (count === 0) return;
      due -= count;
      const now = clock.now();
      const batch: InsightPost[] = [];
      for (let i = 0; i < count; i++) {
        batch.push(
          generatePost(
            random,
            `9${String(options.seed % 10_000).padStart(4, '0')}${String(index++).padStart(14, '0')}`,
            now,
          ),
        );
      }
      // The counter commits with the posts: after a crash the firehose never publishes an id twice.
      publish(batch, () => meta.set(counterKey, String(index)));
    }, FIREHOSE_TICK_MS);
    firehose.unref();
  }

  return {
    events,
    create(biz, rule, syncMode) {
      const taskId = store.transaction(() => {
        const next =
          (store
            .prepare<[string], number>('SELECT max(task_id) FROM insight_realtime_tasks WHERE biz = ?')
            .pluck()
            .get(biz) ?? 0) + 1;
        const now = clock.now();
        store
          .prepare(
            `INSERT INTO insight_realtime_tasks (biz, task_id, rule, enable_status, sync_mode, created_at, updated_at)
             VALUES (?, ?, ?, 1, ?, ?, ?)`,
          )
          .run(biz, next, JSON.stringify(rule), syncMode ? 1 : 0, now, now);
        return next;
      });
      live = undefined;
      return taskId;
    },
    update(biz, taskId, changes) {
      const current = this.get(biz, taskId);
      if (current === undefined) return false;
      store
        .prepare(
          `UPDATE insight_realtime_tasks SET rule = ?, enable_status = ?, sync_mode = ?, updated_at = ?
           WHERE biz = ? AND task_id = ?`,
        )
        .run(
          JSON.stringify(changes.rule ?? current.rule),
          changes.enableStatus ?? current.enableStatus,
          (changes.syncMode ?? current.syncMode) ? 1 : 0,
          clock.now(),
          biz,
          taskId,
        );
      live = undefined;
      return true;
    },
    get(biz, taskId) {
      const row = store
        .prepare<[string, number], TaskRow>('SELECT * FROM insight_realtime_tasks WHERE biz = ? AND task_id = ?')
        .get(biz, taskId);
      return row === undefined ? undefined : toTask(row);
    },
    list(biz) {
      return store
        .prepare<[string], TaskRow>('SELECT * FROM insight_realtime_tasks WHERE biz = ? ORDER BY task_id')
        .all(biz)
        .map(toTask);
    },
    count(biz) {
      return store
        .prepare<[string], number>('SELECT count(*) FROM insight_realtime_tasks WHERE biz = ?')
        .pluck()
        .get(biz) as number;
    },
    publish,
    start() {
      startFirehose();
      sweep = setInterval(sweepHits, 60_000);
      sweep.unref();
    },
    stop() {
      clearInterval(firehose);
      clearInterval(sweep);
      firehose = undefined;
      sweep = undefined;
    },
    clear() {
      live = undefined;
      lastOffsets.clear();
    },
  };
}
