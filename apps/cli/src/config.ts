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
  const named = path ?? envValue(env, 'INSIGHT_CONFIG');
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

/** A variable of the environment; set to nothing or to blanks (`BYTEAIR_HOSTS=`), it counts as unset. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
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

/** Where a setting was found, by precedence: 0 its flag, 1 its environment variable, 2 the config file. */
export type SettingLevel = 0 | 1 | 2;

/** The first value among flag, environment and config file, with the level it was found at. */
export function findSetting(
  source: SettingSource,
  env: NodeJS.ProcessEnv,
): { readonly value: string; readonly level: SettingLevel } | undefined {
  if (source.flag !== undefined) return { value: source.flag, level: 0 };
  const fromEnv = envValue(env, source.envName);
  if (fromEnv !== undefined) return { value: fromEnv, level: 1 };
  const fileValue = source.file[0];
  return fileValue === undefined ? undefined : { value: fileValue.toString(), level: 2 };
}

/** The first value among flag, environment and config file, or `undefined`. */
export function lookupSetting(source: SettingSource, env: NodeJS.ProcessEnv): string | undefined {
  return findSetting(source, env)?.value;
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
  const hostsSource = findHosts(values.host, env, file.hosts);
  if (hostsSource === undefined) {
    throw usageError('missing --host: pass it, set BYTEAIR_HOSTS, or set byteair.hosts in the config file');
  }
  const hostsName = (['--host', 'BYTEAIR_HOSTS', 'byteair.hosts'] as const)[hostsSource.level];
  // A host given as a URL (`http://127.0.0.1:8080`) carries its scheme, which is what an emulator's URL looks like.
  const urlSchemes = new Set<string>();
  const hosts = hostsSource.value.map((raw) => {
    const host = raw.trim();
    if (!host.includes('://')) return host;
    if (!URL.canParse(host)) throw usageError(`${hostsName}: '${host}' is not a URL`);
    const url = new URL(host);
    urlSchemes.add(url.protocol.slice(0, -1));
    return url.host;
  });
  if (urlSchemes.size > 1)
    throw usageError(`${hostsName}: the URLs name different schemes (${[...urlSchemes].join(', ')})`);
  const [urlScheme] = urlSchemes;
  const schemeSetting = findSetting(
    { flag: values.scheme, flagName: '--scheme', envName: 'BYTEAIR_SCHEME', file: [file.scheme, 'byteair.scheme'] },
    env,
  );
  // A scheme written in the hosts' URLs wins over a scheme setting from the same or a lower level.
  const fromUrl = urlScheme !== undefined && (schemeSetting === undefined || hostsSource.level <= schemeSetting.level);
  const scheme = fromUrl ? urlScheme : (schemeSetting?.value ?? 'https');
  if (scheme !== 'https' && scheme !== 'http') {
    const name = fromUrl
      ? hostsName
      : (['--scheme', 'BYTEAIR_SCHEME', 'byteair.scheme'] as const)[schemeSetting!.level];
    throw usageError(`${name}: '${scheme}' is not https or http`);
  }
  const setting = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    value: string | undefined,
    path: string,
  ) => findSetting({ flag, flagName, envName, file: [value, path] }, env);
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
  const region = envValue(env, 'BYTEAIR_REGION') ?? file.region;
  // The credentials from the highest level win (flag, then environment, then config file); at one level, the token.
  const keyLevel = accessKey && secretKey ? Math.min(accessKey.level, secretKey.level) : undefined;
  let auth: ByteAirSettings['auth'];
  if (token !== undefined && (keyLevel === undefined || token.level <= keyLevel)) auth = { token: token.value };
  else if (accessKey !== undefined && secretKey !== undefined) {
    auth = { accessKey: accessKey.value, secretKey: secretKey.value, ...(region ? { region } : {}) };
  } else {
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

/** The ByteAir hosts from `--host`, else `BYTEAIR_HOSTS` (comma-separated), else the config file. */
function findHosts(
  flags: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
  file: readonly string[] | undefined,
): { readonly value: readonly string[]; readonly level: SettingLevel } | undefined {
  if (flags !== undefined) return { value: flags, level: 0 };
  const fromEnv = envValue(env, 'BYTEAIR_HOSTS')
    ?.split(',')
    .filter((host) => host.trim() !== '');
  if (fromEnv !== undefined && fromEnv.length > 0) return { value: fromEnv, level: 1 };
  return file === undefined ? undefined : { value: file, level: 2 };
}
