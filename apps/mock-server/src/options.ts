import { constants } from 'node:buffer';
import { z } from 'zod';
import { type Clock, SYSTEM_CLOCK } from './core/clock.js';
import type { EmulatorModule } from './core/module.js';
import type { RequestRecord } from './core/request-log.js';
import type { InsightModuleOptions } from './insight/index.js';

/** Default largest request body as received, in bytes. */
export const DEFAULT_BODY_BYTES = 16 * 1024 * 1024;
/** Default largest request body once gunzipped, in bytes. */
export const DEFAULT_DECODED_BODY_BYTES = 64 * 1024 * 1024;
/** Largest body cap accepted: the largest Buffer this Node.js can hold (zlib refuses a larger output cap). */
export const MAX_BODY_LIMIT = constants.MAX_LENGTH;
/** Default number of requests `GET /_insight/requests` remembers. */
export const DEFAULT_REQUEST_LOG_SIZE = 1000;
/** Default seed of the emulator's random numbers. */
export const DEFAULT_SEED = 42;
/** Default size of the synthetic item pool of a ByteAir application nobody wrote items to. */
export const DEFAULT_SYNTHETIC_POOL_SIZE = 200;
/** Default ByteAir clock-skew window and nonce-replay window, in seconds. */
export const DEFAULT_BYTEAIR_WINDOW_SECONDS = 300;

const tenantSchema = z
  .strictObject({
    tenantId: z.string().min(1),
    token: z.string().min(1).optional(),
    accessKey: z.string().min(1).optional(),
    secretKey: z.string().min(1).optional(),
    applications: z.array(z.string().min(1)).optional(),
  })
  .refine((t) => (t.accessKey === undefined) === (t.secretKey === undefined), {
    message: 'accessKey and secretKey go together',
  })
  .refine((t) => t.token !== undefined || t.accessKey !== undefined, {
    message: 'a tenant needs a token (air auth) or an accessKey/secretKey pair (AK/SK)',
  });

/**
 * A ByteAir tenant the emulator accepts. With a `token` it accepts air auth, with `accessKey`/`secretKey` AK/SK
 * signatures; with both, either.
 */
export type ByteAirTenant = z.input<typeof tenantSchema>;

/** The tenant a server without `tenants` accepts, so that it works out of the box. */
export const DEFAULT_TENANT: Readonly<Required<Omit<ByteAirTenant, 'applications'>>> = {
  tenantId: 'demo-tenant',
  token: 'demo-token',
  accessKey: 'demo-access-key',
  secretKey: 'demo-secret-key',
};

const optionsSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  dataDir: z.string().min(1).default(':memory:'),
  seed: z.union([z.number(), z.string()]).default(DEFAULT_SEED),
  tenants: z
    .array(tenantSchema)
    .min(1)
    .refine((list) => new Set(list.map((t) => t.tenantId)).size === list.length, { message: 'tenantId must be unique' })
    .default([DEFAULT_TENANT]),
  byteair: z
    .strictObject({
      clockSkewSeconds: z.number().positive().default(DEFAULT_BYTEAIR_WINDOW_SECONDS),
      nonceWindowSeconds: z.number().positive().default(DEFAULT_BYTEAIR_WINDOW_SECONDS),
      syntheticPoolSize: z.number().int().min(0).max(100_000).default(DEFAULT_SYNTHETIC_POOL_SIZE),
    })
    .prefault({}),
  limits: z
    .strictObject({
      bodyBytes: z.number().int().positive().max(MAX_BODY_LIMIT).default(DEFAULT_BODY_BYTES),
      decodedBodyBytes: z.number().int().positive().max(MAX_BODY_LIMIT).default(DEFAULT_DECODED_BODY_BYTES),
    })
    .prefault({}),
  requestLogSize: z.number().int().positive().default(DEFAULT_REQUEST_LOG_SIZE),
  insight: z.unknown().optional(),
});

/** Options of `createMockServer`. */
export interface MockServerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Directory of the database (`<dataDir>/insight.db`), or `':memory:'` for a store that dies with the server. @default ':memory:' */
  dataDir?: string;
  /** Seed of every random choice (fault probabilities, synthetic data). @default 42 */
  seed?: number | string;
  /** The server's clock, in ms; inject one to move time in tests. @default the wall clock */
  clock?: Clock;
  /** ByteAir tenants accepted. @default [DEFAULT_TENANT] */
  tenants?: ByteAirTenant[];
  /** ByteAir behaviour. */
  byteair?: {
    /** Largest accepted distance between a signature's time and the server clock, in s. @default 300 */
    clockSkewSeconds?: number;
    /**
     * How long an air-auth nonce is remembered to refuse replays, in s; never less than `clockSkewSeconds`.
     * @default 300
     */
    nonceWindowSeconds?: number;
    /** Items of the synthetic pool of an application nobody wrote items to. @default 200 */
    syntheticPoolSize?: number;
  };
  /** Request body caps. */
  limits?: {
    /** Largest body as received, in bytes. @default 16 MiB */
    bodyBytes?: number;
    /** Largest body after gunzip, in bytes. @default 64 MiB */
    decodedBodyBytes?: number;
  };
  /** Requests remembered by `GET /_insight/requests`. @default 1000 */
  requestLogSize?: number;
  /** Options of the Content Insight module (accounts, corpus, firehose), validated by that module. */
  insight?: InsightModuleOptions;
  /** More modules to mount after the built-in ones (custom endpoints); names must be unique. */
  modules?: EmulatorModule[];
  /** Receives one line per request (and module messages); silent when absent. */
  logger?: (line: string) => void;
  /** Called with the record of every request once it is answered. */
  onRequest?: (record: RequestRecord) => void;
}

/** {@link MockServerOptions} with defaults applied, as modules see them. */
export type ResolvedOptions = z.output<typeof optionsSchema> & {
  clock: Clock;
  modules: EmulatorModule[];
  logger: ((line: string) => void) | undefined;
  onRequest: ((record: RequestRecord) => void) | undefined;
};

/**
 * Validates options and applies defaults.
 *
 * @throws TypeError naming each invalid option path and the rule it breaks.
 */
export function resolveOptions(options: MockServerOptions): ResolvedOptions {
  const { clock, modules, logger, onRequest, ...data } = options;
  const parsed = optionsSchema.safeParse(data);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TypeError(`invalid mock server options: ${details.join('; ')}`);
  }
  if (clock !== undefined && typeof clock?.now !== 'function') throw new TypeError('clock must have a now() method');
  return { ...parsed.data, clock: clock ?? SYSTEM_CLOCK, modules: modules ?? [], logger, onRequest };
}
