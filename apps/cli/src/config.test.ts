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

  it('reads ./insight.config.json when INSIGHT_CONFIG is blank', async () => {
    const dir = configDir({ insight: { bizName: 'from-file' } });
    expect(await loadConfigFile(undefined, { INSIGHT_CONFIG: '' }, dir)).toEqual({ insight: { bizName: 'from-file' } });
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

  it('takes the credentials of the highest level, the token when one level gives both', () => {
    const keys = { BYTEAIR_ACCESS_KEY: 'env-ak', BYTEAIR_SECRET_KEY: 'env-sk' };
    const fileToken = { byteair: { token: 'file-token' } };
    expect(resolveByteAirSettings({ host: ['h'] }, fileToken, { ...base, ...keys }).auth).toEqual({
      accessKey: 'env-ak',
      secretKey: 'env-sk',
    });
    expect(resolveByteAirSettings({ host: ['h'], token: 'flag-token' }, {}, { ...base, ...keys }).auth).toEqual({
      token: 'flag-token',
    });
    expect(
      resolveByteAirSettings({ host: ['h'], 'access-key': 'flag-ak' }, {}, { ...base, ...keys, BYTEAIR_TOKEN: 't' })
        .auth,
    ).toEqual({ accessKey: 'flag-ak', secretKey: 'env-sk' });
    expect(resolveByteAirSettings({ host: ['h'] }, {}, { ...base, ...keys, BYTEAIR_TOKEN: 't' }).auth).toEqual({
      token: 't',
    });
  });

  it('takes the scheme of host URLs over a scheme setting from the same or a lower level', () => {
    const env = { ...base, BYTEAIR_TOKEN: 'k' };
    const file = { byteair: { scheme: 'https' as const, hosts: ['http://file-host'] } };
    expect(resolveByteAirSettings({ host: ['http://h:1'] }, file, env).scheme).toBe('http');
    expect(resolveByteAirSettings({}, file, env)).toMatchObject({ hosts: ['file-host'], scheme: 'http' });
    expect(resolveByteAirSettings({ scheme: 'https' }, file, { ...env, BYTEAIR_HOSTS: 'http://h' }).scheme).toBe(
      'https',
    );
    expect(resolveByteAirSettings({}, file, { ...env, BYTEAIR_HOSTS: ' ', BYTEAIR_SCHEME: '' }).hosts).toEqual([
      'file-host',
    ]);
    expect(() => resolveByteAirSettings({ host: ['http://a', 'https://b'] }, {}, env)).toThrow(
      '--host: the URLs name different schemes (http, https)',
    );
  });

  it('refuses missing credentials and a wrong scheme as usage errors', () => {
    expect(() => resolveByteAirSettings({ host: ['h'] }, {}, base)).toThrow(/missing ByteAir credentials/);
    expect(() => resolveByteAirSettings({ host: ['h'], scheme: 'ftp', token: 'k' }, {}, base)).toThrow(
      "--scheme: 'ftp' is not https or http",
    );
  });
});
