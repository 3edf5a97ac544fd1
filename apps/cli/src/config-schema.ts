import { z } from 'zod';

const insightSection = z.strictObject({
  baseUrl: z.url().optional(),
  bizName: z.string().min(1).optional(),
  bizSecret: z.string().min(1).optional(),
});

const byteairSection = z.strictObject({
  hosts: z.array(z.string().min(1)).min(1).optional(),
  scheme: z.enum(['https', 'http']).optional(),
  tenantId: z.string().min(1).optional(),
  applicationId: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  accessKey: z.string().min(1).optional(),
  secretKey: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
});

/** Bounds of the emulator's corpus and firehose settings, for `insight serve`'s flags and its config section alike. */
export const SERVE_BOUNDS = {
  /** Most posts of the synthetic corpus. */
  maxPosts: 10_000_000,
  /** Most days the synthetic corpus spans (more than 0). */
  maxDays: 365,
  /** Most posts per second of the realtime firehose. */
  maxFirehoseRate: 100_000,
} as const;

const serveSection = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  seed: z.number().int().optional(),
  posts: z.number().int().min(0).max(SERVE_BOUNDS.maxPosts).optional(),
  days: z.number().positive().max(SERVE_BOUNDS.maxDays).optional(),
  import: z.string().min(1).optional(),
  firehoseRate: z.number().min(0).max(SERVE_BOUNDS.maxFirehoseRate).optional(),
  enforceQps: z.boolean().optional(),
  accounts: z
    .array(z.strictObject({ bizName: z.string().min(1), secret: z.string().min(1) }))
    .min(1)
    .optional(),
  tenants: z
    .array(
      z.strictObject({
        tenantId: z.string().min(1),
        token: z.string().min(1).optional(),
        accessKey: z.string().min(1).optional(),
        secretKey: z.string().min(1).optional(),
      }),
    )
    .min(1)
    .optional(),
});

/** The configuration file's shape: one optional section per service, and one for `insight serve`. */
export const ConfigFileSchema = z.strictObject({
  insight: insightSection.optional(),
  byteair: byteairSection.optional(),
  serve: serveSection.optional(),
});
