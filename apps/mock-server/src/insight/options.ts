import { INSIGHT_LIMITS } from '@insight/protocol';
import { z } from 'zod';

/** The account a module without `accounts` accepts, so that it works out of the box. */
export const DEFAULT_INSIGHT_ACCOUNT = { bizName: 'demo-biz', secret: 'demo-secret' } as const;

/** Posts of the synthetic corpus generated when the store holds none. */
export const DEFAULT_CORPUS_SIZE = 10_000;

/** Posts per second the live firehose publishes by default: enough to see realtime hits, cheap when idle. */
export const DEFAULT_FIREHOSE_RATE = 2;

/** Words no rule keyword may contain unless `sensitiveWords` says otherwise. */
export const DEFAULT_SENSITIVE_WORDS: readonly string[] = ['赌博', '枪支', '毒品', 'gambling'];

const optionsSchema = z.strictObject({
  accounts: z
    .array(z.strictObject({ bizName: z.string().min(1), secret: z.string().min(1) }))
    .min(1)
    .refine((list) => new Set(list.map((a) => a.bizName)).size === list.length, { message: 'bizName must be unique' })
    .default([{ ...DEFAULT_INSIGHT_ACCOUNT }]),
  corpus: z
    .strictObject({
      size: z.number().int().min(0).max(10_000_000).default(DEFAULT_CORPUS_SIZE),
      seed: z.number().int().optional(),
      days: z.number().positive().max(365).default(90),
    })
    .prefault({}),
  firehoseRate: z.number().min(0).max(100_000).default(DEFAULT_FIREHOSE_RATE),
  heartbeatMs: z
    .number()
    .int()
    .positive()
    .default(INSIGHT_LIMITS.sseHeartbeatSeconds * 1000),
  sensitiveWords: z.array(z.string().min(1)).default([...DEFAULT_SENSITIVE_WORDS]),
  enforceQps: z.boolean().default(false),
  backtrackSlicePosts: z.number().int().positive().max(1_000_000).optional(),
});

/** Options of the Content Insight module (`createMockServer({ insight: … })`). */
export interface InsightModuleOptions {
  /** Businesses (biz name + secret) that may ask for tokens. @default [{ bizName: 'demo-biz', secret: 'demo-secret' }] */
  accounts?: { bizName: string; secret: string }[];
  /**
   * The synthetic corpus generated at start when the store holds no post: `size` posts over the last `days` days,
   * from `seed` (the server's seed when absent).
   * @default { size: 10000, days: 90 }
   */
  corpus?: { size?: number; seed?: number; days?: number };
  /** Posts per second of the live firehose that feeds realtime tasks; 0 turns it off. @default 2 */
  firehoseRate?: number;
  /** Interval of heartbeat comments on idle streams, in ms. @default 15000 */
  heartbeatMs?: number;
  /** Sensitive words: refused in rule keywords and reported by the sensitive-words check. */
  sensitiveWords?: string[];
  /** Answer `[40006]` beyond each endpoint's documented QPS and daily limits. @default false */
  enforceQps?: boolean;
  /** Posts a backtrack reads per event-loop turn. @default 4000 */
  backtrackSlicePosts?: number;
}

/** {@link InsightModuleOptions} with defaults applied. */
export type ResolvedInsightOptions = z.infer<typeof optionsSchema>;

/**
 * Applies defaults and validates.
 *
 * @throws TypeError naming each invalid option.
 */
export function resolveInsightOptions(input: unknown): ResolvedInsightOptions {
  const parsed = optionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `insight.${issue.path.join('.')}: ${issue.message}`);
    throw new TypeError(`invalid Content Insight options: ${details.join('; ')}`);
  }
  return parsed.data;
}
