import {
  type ByteAirClient,
  createByteAirClient,
  createInsightClient,
  type InsightClient,
  type Logger,
} from '@insight/client';
import type { CommandContext, OptionSpecs } from './command.js';
import { type InsightSettings, resolveByteAirSettings, resolveInsightSettings } from './config.js';
import { usageError } from './errors.js';

/** Options of every command that calls a service. */
export const CALL_OPTIONS = {
  timeout: { type: 'string', placeholder: '<ms>', description: 'Per-attempt timeout in milliseconds' },
} as const satisfies OptionSpecs;

/** Reads a positive whole number of a flag. */
export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw usageError(`${flag}: '${value}' is not a positive whole number`);
  return Number(value);
}

/** With `--debug`, a logger that prints each client attempt on stderr (credentials are redacted by the client). */
export function debugLogger(ctx: CommandContext): Logger | undefined {
  if (!ctx.debug) return undefined;
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    ctx.io.stderr.write(`${ctx.out.style.dim(`[${level}] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)}\n`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A ByteAir client from the command's flags, environment and config file. */
export function openByteAirClient(
  ctx: CommandContext,
  values: Parameters<typeof resolveByteAirSettings>[0] & { readonly timeout?: string },
): ByteAirClient {
  const settings = resolveByteAirSettings(values, ctx.config, ctx.io.env);
  return createByteAirClient({
    ...settings,
    hosts: [...settings.hosts],
    auth: { ...settings.auth },
    timeout: parsePositiveInt(values.timeout, '--timeout'),
    logger: debugLogger(ctx),
  });
}

/** A Content Insight client from the command's flags, environment and config file (or settings already resolved). */
export function openInsightClient(
  ctx: CommandContext,
  values: Parameters<typeof resolveInsightSettings>[0] & { readonly timeout?: string },
  settings: InsightSettings = resolveInsightSettings(values, ctx.config, ctx.io.env),
): InsightClient {
  return createInsightClient({
    ...settings,
    timeout: parsePositiveInt(values.timeout, '--timeout'),
    logger: debugLogger(ctx),
  });
}
