import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSIGHT_BASE_URL } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, resolveByteAirSettings, resolveInsightSettings } from './config.js';
import { CliError, EXIT_CODES } from './errors.js';

function configDir(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'insight-config-'));
  writeFileSync(join(dir, 'insight.config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('loadConfigFile', () => {
  it('reads ./insight.config.json when present, and nothing when absent', async () => {
    const dir = configDir({ insight: { bizName: 'from-file' } });
    expect(await loadConfigFile(undefined, {}, dir)).toEqual({ insight: { bizName: 'from-file' } });
    expect(await loadConfigFile(undefined, {}, mkdtempSync(join(tmpdir(), 'insight-config-')))).toEqual({});
  });

  it('names the path and the rule of an invalid entry', async () => {
    const dir = configDir({ byteair: { scheme: 'ftp' } });
    const error = await loadConfigFile(undefined, {}, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT_CODES.USAGE);
    expect((error as CliError).message).toMatch(/insight\.config\.json: byteair\.scheme: /);
    await expect(loadConfigFile(undefined, {}, configDir({ extra: 1 }))).rejects.toThrow(/\(root\): Unrecognized key/);
    await expect(loadConfigFile(undefined, {}, configDir('{'))).rejects.toThrow(/is not JSON/);
  });

  it('requires a file named by INSIGHT_CONFIG to exist', async () => {
    await expect(loadConfigFile(undefined, { INSIGHT_CONFIG: 'nope.json' }, tmpdir())).rejects.toThrow(
      /cannot read config file/,
    );
  });
});

describe('resolveInsightSettings', () => {
  it('takes the flag, else the environment, else the file, else the production URL of the protocol package', () => {
    const config = { insight: { bizName: 'file-name', bizSecret: 'file-secret' } };
    const env = { INSIGHT_BIZ_NAME: 'env-name' };
    expect(resolveInsightSettings({ 'biz-name': 'flag-name' }, config, env)).toEqual({
      baseUrl: INSIGHT_BASE_URL,
      bizName: 'flag-name',
      bizSecret: 'file-secret',
    });
    expect(resolveInsightSettings({}, config, env).bizName).toBe('env-name');
    expect(resolveInsightSettings({}, config, { INSIGHT_BIZ_NAME: '' }).bizName).toBe('file-name');
  });

  it('names the three places a missing setting can come from', () => {
    expect(() => resolveInsightSettings({ 'biz-name': 'x' }, {}, {})).toThrow(
      'missing --biz-secret: pass it, set INSIGHT_BIZ_SECRET, or set insight.bizSecret in the config file',
    );
  });
});

describe('resolveByteAirSettings', () => {
  const base = { BYTEAIR_TENANT_ID: 't', BYTEAIR_APPLICATION_ID: 'app' };

  it('reads the scheme from a host given as a URL', () => {
    const settings = resolveByteAirSettings(
      {},
      {},
      { ...base, BYTEAIR_HOSTS: 'http://127.0.0.1:8080', BYTEAIR_TOKEN: 'k' },
    );
    expect(settings).toMatchObject({ hosts: ['127.0.0.1:8080'], scheme: 'http', auth: { token: 'k' } });
  });

  it('uses AK/SK when no token is set, and https by default', () => {
    const settings = resolveByteAirSettings(
      { host: ['a.example.com', 'b.example.com'] },
      { byteair: { accessKey: 'ak', secretKey: 'sk' } },
      base,
    );
    expect(settings).toMatchObject({ hosts: ['a.example.com', 'b.example.com'], scheme: 'https' });
    expect(settings.auth).toEqual({ accessKey: 'ak', secretKey: 'sk' });
  });

  it('refuses missing credentials and a wrong scheme as usage errors', () => {
    expect(() => resolveByteAirSettings({ host: ['h'] }, {}, base)).toThrow(/missing ByteAir credentials/);
    expect(() => resolveByteAirSettings({ host: ['h'], scheme: 'ftp', token: 'k' }, {}, base)).toThrow(
      "--scheme: 'ftp' is not https or http",
    );
  });
});
