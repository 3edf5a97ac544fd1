import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { ConfigFileSchema } from './config-schema.js';
import { CliError, EXIT_CODES, usageError } from './errors.js';
import type { OptionSpecs } from './command.js';

/** The configuration file read when neither `--config` nor `INSIGHT_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'insight.config.json';

/**
 * The real Content Insight service, used when no base URL is configured: `INSIGHT_BASE_URL` of `@insight/protocol`
 * (a test holds them equal), spelled out so that the commands that never call the service do not load that package.
 */
export const DEFAULT_INSIGHT_BASE_URL = 'https://insight.volcengineapi.com';

/** The parsed configuration file. */
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/**
 * Reads the configuration file: `path` (from `--config`) or `INSIGHT_CONFIG` must exist; `./insight.config.json` is
 * read only when present. An unreadable or invalid file is a usage error that names the file and the path inside it.
 */
export async function loadConfigFile(
  path: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ConfigFile> {
  const named = path ?? env.INSIGHT_CONFIG;
  const file = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (named === undefined && !existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw usageError(`config file ${file} is not JSON: ${(error as Error).message}`);
  }
  // The schema (and zod) load only when there is a file to check: most runs have none, and every run pays for imports.
  const { ConfigFileSchema } = await import('./config-schema.js');
  const parsed = ConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new CliError(`config file ${file}: ${where}: ${issue.message}`, EXIT_CODES.USAGE);
  }
  return parsed.data;
}

/** One setting looked up in order: its flag, its environment variable, the config file. */
export interface SettingSource {
  /** The flag's value, if given. */
  readonly flag: string | undefined;
  /** The flag's name, for error messages (`--biz-name`). */
  readonly flagName: string;
  /** The environment variable's name. */
  readonly envName: string;
  /** The config file's value and its path in the file (`insight.bizName`). */
  readonly file: readonly [value: string | number | undefined, path: string];
}

/** The first value among flag, environment and config file, or `undefined`. */
export function lookupSetting(source: SettingSource, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[source.envName];
  const fileValue = source.file[0];
  return source.flag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv) ?? fileValue?.toString();
}

/** Like {@link lookupSetting}, but a missing value is a usage error naming all three places to set it. */
export function requireSetting(source: SettingSource, env: NodeJS.ProcessEnv): string {
  const value = lookupSetting(source, env);
  if (value === undefined) {
    throw usageError(
      `missing ${source.flagName}: pass it, set ${source.envName}, or set ${source.file[1]} in the config file`,
    );
  }
  return value;
}

/** Content Insight connection settings. */
export interface InsightSettings {
  /** Service root, e.g. `https://insight.volcengineapi.com` or an emulator's URL. */
  readonly baseUrl: string;
  /** `X-Insight-Biz-Name`: the Volcengine account id. */
  readonly bizName: string;
  /** `X-Insight-Biz-Secret`, exchanged for access tokens. */
  readonly bizSecret: string;
}

/** Flags that select the Content Insight service and account. */
export const INSIGHT_OPTIONS = {
  'base-url': {
    type: 'string',
    placeholder: '<url>',
    description: `Content Insight root URL [INSIGHT_BASE_URL] (default ${DEFAULT_INSIGHT_BASE_URL})`,
  },
  'biz-name': { type: 'string', placeholder: '<name>', description: 'Account id [INSIGHT_BIZ_NAME]' },
  'biz-secret': { type: 'string', placeholder: '<secret>', description: 'Account secret [INSIGHT_BIZ_SECRET]' },
} as const satisfies OptionSpecs;

/** Resolves the Content Insight settings from flags, environment and config file. */
export function resolveInsightSettings(
  values: { readonly 'base-url'?: string; readonly 'biz-name'?: string; readonly 'biz-secret'?: string },
  config: ConfigFile,
  env: NodeJS.ProcessEnv,
): InsightSettings {
  const file = config.insight ?? {};
  const baseUrl =
    lookupSetting(
      {
        flag: values['base-url'],
        flagName: '--base-url',
        envName: 'INSIGHT_BASE_URL',
        file: [file.baseUrl, 'insight.baseUrl'],
      },
      env,
    ) ?? DEFAULT_INSIGHT_BASE_URL;
  if (!URL.canParse(baseUrl)) throw usageError(`--base-url: '${baseUrl}' is not a URL`);
  return {
    baseUrl,
    bizName: requireSetting(
      {
        flag: values['biz-name'],
        flagName: '--biz-name',
        envName: 'INSIGHT_BIZ_NAME',
        file: [file.bizName, 'insight.bizName'],
      },
      env,
    ),
    bizSecret: requireSetting(
      {
        flag: values['biz-secret'],
        flagName: '--biz-secret',
        envName: 'INSIGHT_BIZ_SECRET',
        file: [file.bizSecret, 'insight.bizSecret'],
      },
      env,
    ),
  };
}

/** ByteAir connection settings, in the shape `createByteAirClient` takes. */
export interface ByteAirSettings {
  readonly hosts: readonly string[];
  readonly scheme: 'https' | 'http';
  readonly tenantId: string;
  readonly applicationId: string;
  readonly auth:
    | { readonly token: string }
    | { readonly accessKey: string; readonly secretKey: string; readonly region?: string };
}

/** Flags that select the ByteAir service, tenant and application. */
export const BYTEAIR_OPTIONS = {
  host: {
    type: 'string',
    multiple: true,
    placeholder: '<host>',
    description: 'Service host[:port], or a URL that also sets the scheme [BYTEAIR_HOSTS, comma-separated]',
  },
  scheme: { type: 'string', placeholder: '<https|http>', description: 'URL scheme [BYTEAIR_SCHEME] (default https)' },
  'tenant-id': { type: 'string', placeholder: '<id>', description: 'Tenant id [BYTEAIR_TENANT_ID]' },
  app: { type: 'string', placeholder: '<id>', description: 'Application id [BYTEAIR_APPLICATION_ID]' },
  token: { type: 'string', placeholder: '<token>', description: 'Air-auth token [BYTEAIR_TOKEN]' },
  'access-key': { type: 'string', placeholder: '<ak>', description: 'AK/SK auth: access key [BYTEAIR_ACCESS_KEY]' },
  'secret-key': { type: 'string', placeholder: '<sk>', description: 'AK/SK auth: secret key [BYTEAIR_SECRET_KEY]' },
} as const satisfies OptionSpecs;

/** Resolves the ByteAir settings from flags, environment and config file. */
export function resolveByteAirSettings(
  values: {
    readonly host?: string[];
    readonly scheme?: string;
    readonly 'tenant-id'?: string;
    readonly app?: string;
    readonly token?: string;
    readonly 'access-key'?: string;
    readonly 'secret-key'?: string;
  },
  config: ConfigFile,
  env: NodeJS.ProcessEnv,
): ByteAirSettings {
  const file = config.byteair ?? {};
  const rawHosts = values.host ?? env.BYTEAIR_HOSTS?.split(',').filter((h) => h.trim() !== '') ?? file.hosts;
  if (rawHosts === undefined || rawHosts.length === 0) {
    throw usageError('missing --host: pass it, set BYTEAIR_HOSTS, or set byteair.hosts in the config file');
  }
  // A host given as a URL (`http://127.0.0.1:8080`) carries its scheme, which is what an emulator's URL looks like.
  let urlScheme: string | undefined;
  const hosts = rawHosts.map((raw) => {
    const host = raw.trim();
    if (!host.includes('://')) return host;
    if (!URL.canParse(host)) throw usageError(`--host: '${host}' is not a URL`);
    const url = new URL(host);
    urlScheme = url.protocol.slice(0, -1);
    return url.host;
  });
  const scheme =
    lookupSetting(
      { flag: values.scheme, flagName: '--scheme', envName: 'BYTEAIR_SCHEME', file: [file.scheme, 'byteair.scheme'] },
      env,
    ) ??
    urlScheme ??
    'https';
  if (scheme !== 'https' && scheme !== 'http') throw usageError(`--scheme: '${scheme}' is not https or http`);
  const setting = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    value: string | undefined,
    path: string,
  ) => lookupSetting({ flag, flagName, envName, file: [value, path] }, env);
  const token = setting(values.token, '--token', 'BYTEAIR_TOKEN', file.token, 'byteair.token');
  const accessKey = setting(
    values['access-key'],
    '--access-key',
    'BYTEAIR_ACCESS_KEY',
    file.accessKey,
    'byteair.accessKey',
  );
  const secretKey = setting(
    values['secret-key'],
    '--secret-key',
    'BYTEAIR_SECRET_KEY',
    file.secretKey,
    'byteair.secretKey',
  );
  const region = env.BYTEAIR_REGION || file.region;
  let auth: ByteAirSettings['auth'];
  if (token !== undefined) auth = { token };
  else if (accessKey !== undefined && secretKey !== undefined)
    auth = { accessKey, secretKey, ...(region ? { region } : {}) };
  else {
    throw usageError(
      'missing ByteAir credentials: pass --token (air auth) or --access-key and --secret-key (AK/SK), or set BYTEAIR_TOKEN or BYTEAIR_ACCESS_KEY and BYTEAIR_SECRET_KEY',
    );
  }
  return {
    hosts,
    scheme,
    auth,
    tenantId: requireSetting(
      {
        flag: values['tenant-id'],
        flagName: '--tenant-id',
        envName: 'BYTEAIR_TENANT_ID',
        file: [file.tenantId, 'byteair.tenantId'],
      },
      env,
    ),
    applicationId: requireSetting(
      {
        flag: values.app,
        flagName: '--app',
        envName: 'BYTEAIR_APPLICATION_ID',
        file: [file.applicationId, 'byteair.applicationId'],
      },
      env,
    ),
  };
}
