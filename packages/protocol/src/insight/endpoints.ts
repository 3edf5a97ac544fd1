import { z } from 'zod';
import { INSIGHT_LIMITS } from '../http/limits.js';
import { InsightRule, TaskId, TaskIdParam, TimeWindow, withOrderedWindow } from './common.js';
import { ItemDoc } from './item-doc.js';

const { searchCountCap, searchPageSizeMax, sensitiveWordMaxLength, sensitiveWordsMaxCount } = INSIGHT_LIMITS;

/** `data` of `GET /oauth/access_token`. */
export const AccessTokenData = z.object({
  access_token: z.string().min(1),
  /** Lifetime in seconds, at most 7200. */
  expire: z.number().int().positive(),
});
/** `data` of `GET /oauth/access_token`. */
export type AccessTokenData = z.infer<typeof AccessTokenData>;

/** Body of `GET /openapi/backtrack/preview_task`; `de_duplicate` defaults to true. */
export const BacktrackPreviewRequest = withOrderedWindow(
  TimeWindow.extend({ rule: InsightRule, de_duplicate: z.boolean().optional() }),
);
/** Body of `GET /openapi/backtrack/preview_task`. */
export type BacktrackPreviewRequest = z.infer<typeof BacktrackPreviewRequest>;

/** `data` of `GET /openapi/backtrack/preview_task`: a rough estimate. */
export const BacktrackPreviewData = z.object({ count: z.number().int().nonnegative() });
/** `data` of `GET /openapi/backtrack/preview_task`. */
export type BacktrackPreviewData = z.infer<typeof BacktrackPreviewData>;

/**
 * Body of `POST /openapi/backtrack/create_task`; `de_duplicate` defaults to true. `limit` is optional ("若选取limit…"):
 * without it the task retrieves every match. A `limit` over `INSIGHT_LIMITS.backtrackHitLimit` is well-formed but the
 * service refuses it with `[40009]`, not `[40004]`, so the bound is not checked here.
 */
export const BacktrackCreateRequest = withOrderedWindow(
  TimeWindow.extend({
    rule: InsightRule,
    de_duplicate: z.boolean().optional(),
    /** Most posts to retrieve, newest (closest to `end_time`) first. */
    limit: z.number().int().positive().optional(),
  }),
);
/** Body of `POST /openapi/backtrack/create_task`. */
export type BacktrackCreateRequest = z.infer<typeof BacktrackCreateRequest>;

/** `data` of the task-creating calls. */
export const TaskCreatedData = z.object({ task_id: TaskId });
/** `data` of the task-creating calls. */
export type TaskCreatedData = z.infer<typeof TaskCreatedData>;

/** Query of the calls that take one `task_id`. */
export const TaskIdQuery = z.object({ task_id: TaskIdParam });
/** Query of the calls that take one `task_id`, read. */
export type TaskIdQuery = z.infer<typeof TaskIdQuery>;

/** Lifecycle of a backtrack task. */
export const BacktrackTaskStatus = z.enum(['waiting', 'running', 'finished', 'failed']);
/** Lifecycle of a backtrack task. */
export type BacktrackTaskStatus = z.infer<typeof BacktrackTaskStatus>;

/** What the `rule` JSON string of a backtrack task's info holds. Dates are `yyyy-mm-dd`. */
export const BacktrackTaskRule = z.object({
  rule: InsightRule,
  start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'start_date must start with yyyy-mm-dd'),
  end_date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'end_date must start with yyyy-mm-dd'),
});
/** What the `rule` JSON string of a backtrack task's info holds. */
export type BacktrackTaskRule = z.infer<typeof BacktrackTaskRule>;

/** `data` of `GET /openapi/backtrack/get_task_info`. Note `rule` is a JSON *string* (see {@link BacktrackTaskRule}). */
export const BacktrackTaskInfo = z.object({
  task_status: BacktrackTaskStatus,
  task_cur_max_offset: z.number().int(),
  /** Collector id → highest offset retrieved so far; not a count (offsets skip withheld posts). */
  collector_cur_max_offset: z.record(z.string().regex(/^\d+$/), z.number().int()),
  rule: z.string().superRefine((text, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'rule must be a JSON string' });
      return;
    }
    const result = BacktrackTaskRule.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `rule JSON: ${z.prettifyError(result.error).replaceAll('\n', '; ')}` });
    }
  }),
  de_duplicate: z.boolean(),
  limit: z.number().int().nonnegative(),
  /** Why a `failed` task failed. Not in the vendor's documentation: the emulator gives it, the service may not. */
  fail_reason: z.string().optional(),
});
/** `data` of `GET /openapi/backtrack/get_task_info`. */
export type BacktrackTaskInfo = z.infer<typeof BacktrackTaskInfo>;

/** Switch of a realtime task: 1 on, 0 off. */
export const EnableStatus = z.union([z.literal(0), z.literal(1)]);
/** Switch of a realtime task: 1 on, 0 off. */
export type EnableStatus = z.infer<typeof EnableStatus>;

/** Delivery mode of a realtime task, a vendor integer (asynchronous tasks may match `tags`). */
const SyncMode = z.number().int().nonnegative();

/** Body of `POST /openapi/biz_sub/create_task`. */
export const RealtimeCreateRequest = z.object({ rule: InsightRule, sync_mode: SyncMode.optional() });
/** Body of `POST /openapi/biz_sub/create_task`. */
export type RealtimeCreateRequest = z.infer<typeof RealtimeCreateRequest>;

/** Body of `POST /openapi/biz_sub/update_task`: what is given changes, the rest stays. */
export const RealtimeUpdateRequest = z.object({
  task_id: TaskId,
  rule: InsightRule.optional(),
  enable_status: EnableStatus.optional(),
  sync_mode: SyncMode.optional(),
});
/** Body of `POST /openapi/biz_sub/update_task`. */
export type RealtimeUpdateRequest = z.infer<typeof RealtimeUpdateRequest>;

/** `data` of `GET /openapi/biz_sub/get_task_rule`: one realtime task. */
export const RealtimeTaskRule = z.object({
  task_id: TaskId,
  rule: InsightRule,
  enable_status: EnableStatus,
  sync_mode: SyncMode.optional(),
});
/** One realtime task. */
export type RealtimeTaskRule = z.infer<typeof RealtimeTaskRule>;

/** `data` of `GET /openapi/biz_sub/get_task_rules`: every realtime task of the business. */
export const RealtimeTaskRules = z.object({ tasks: z.array(RealtimeTaskRule) });
/** `data` of `GET /openapi/biz_sub/get_task_rules`. */
export type RealtimeTaskRules = z.infer<typeof RealtimeTaskRules>;

/** Body of `GET /openapi/biz_sub/sensitive_words_check`: 1 to 100 words of 1 to 10 characters. */
export const SensitiveWordsCheckRequest = z.object({
  words: z
    .array(
      z
        .string()
        .min(1, 'a word must not be empty')
        .refine((word) => [...word].length <= sensitiveWordMaxLength, {
          message: `a word has at most ${sensitiveWordMaxLength} characters`,
        }),
    )
    .min(1, 'words must not be empty')
    .max(sensitiveWordsMaxCount, `at most ${sensitiveWordsMaxCount} words per check`),
});
/** Body of `GET /openapi/biz_sub/sensitive_words_check`. */
export type SensitiveWordsCheckRequest = z.infer<typeof SensitiveWordsCheckRequest>;

/** `data` of `GET /openapi/biz_sub/sensitive_words_check`. */
export const SensitiveWordsCheckData = z.object({
  /** Words that are sensitive. */
  hit_words: z.array(z.string()),
  /** Words the service cannot check (a blank one, say; a word over 10 characters refuses the whole request). */
  invalid_words: z.array(z.string()),
});
/** `data` of `GET /openapi/biz_sub/sensitive_words_check`. */
export type SensitiveWordsCheckData = z.infer<typeof SensitiveWordsCheckData>;

/** Body of `POST /openapi/item/search`; pass back `snapshot_id` for the next pages. Pages count from 1. */
export const SearchRequest = withOrderedWindow(
  TimeWindow.extend({
    rule: InsightRule,
    page_size: z
      .number()
      .int()
      .min(1, 'page_size must be at least 1')
      .max(searchPageSizeMax, `page_size must be at most ${searchPageSizeMax}`),
    page_number: z.number().int().positive(),
    snapshot_id: z.string().optional(),
  }),
);
/** Body of `POST /openapi/item/search`. */
export type SearchRequest = z.infer<typeof SearchRequest>;

/** `data` of `POST /openapi/item/search`. */
export const SearchData = z.object({
  items: z.array(ItemDoc),
  snapshot_id: z.string(),
  /** Matching posts, capped at 10000. */
  count: z.number().int().nonnegative().max(searchCountCap),
});
/** `data` of `POST /openapi/item/search`. */
export type SearchData = z.infer<typeof SearchData>;

/** Query of `GET /openapi/item/query_by_id`. */
export const QueryByIdQuery = z.object({ post_id: z.string().min(1, 'post_id is required') });
/** Query of `GET /openapi/item/query_by_id`. */
export type QueryByIdQuery = z.infer<typeof QueryByIdQuery>;

const Collectors = z.string().regex(/^\d+(-\d+)?$/, 'collector must be an id ("3") or a range ("0-4")');
const Offset = z
  .string()
  .regex(/^\d{1,15}$/, 'start_offset must be a non-negative integer')
  .transform(Number);

/** Query of `GET /openapi/item/sse/stream`: `start_offset` is a Unix timestamp within the last 24 h. */
export const RealtimeStreamQuery = z.object({
  collector: Collectors.optional(),
  start_offset: Offset.optional(),
  sync_only: z.enum(['true', 'false']).optional(),
});
/** Query of `GET /openapi/item/sse/stream`, read. */
export type RealtimeStreamQuery = z.infer<typeof RealtimeStreamQuery>;

/** Query of `GET /openapi/item/sse/backtrack/stream`: `start_offset` is the offset to start from (default 0). */
export const BacktrackStreamQuery = z.object({
  task_id: TaskIdParam,
  collector: Collectors.optional(),
  start_offset: Offset.optional(),
});
/** Query of `GET /openapi/item/sse/backtrack/stream`, read. */
export type BacktrackStreamQuery = z.infer<typeof BacktrackStreamQuery>;

/** `data` of `GET /openapi/item/query_by_id`: the post. */
export const QueryByIdData = ItemDoc;
/** `data` of `GET /openapi/item/query_by_id`. */
export type QueryByIdData = z.infer<typeof QueryByIdData>;
