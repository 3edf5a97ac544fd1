import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockServer, type MockServer } from '@insight/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

const TENANT = { tenantId: 'cli-tenant', token: 'cli-token', accessKey: 'cli-ak', secretKey: 'cli-sk' };

let server: MockServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await createMockServer({ tenants: [TENANT], insight: { corpus: { size: 0 }, firehoseRate: 0 } });
  env = {
    BYTEAIR_HOSTS: server.url,
    BYTEAIR_TENANT_ID: TENANT.tenantId,
    BYTEAIR_TOKEN: TENANT.token,
    BYTEAIR_APPLICATION_ID: 'cli-app',
  };
});

afterAll(async () => {
  await server?.close();
});

describe('insight byteair', () => {
  it('predicts, reports a delivery, and no longer recommends what was shown', async () => {
    const first = await runCli(['byteair', 'predict', '--uid', 'u1', '--size', '4', '--json'], { env });
    expect(first.code).toBe(0);
    const response = JSON.parse(first.stdout);
    const ids = response.value.items.map((item: { id: string }) => item.id) as string[];
    expect(ids).toHaveLength(4);

    const shown = [ids[0]!, ids[2]!, 'pick-1'];
    const callback = await runCli(
      [
        'byteair',
        'callback',
        '--uid',
        'u1',
        '--predict-request-id',
        response.requestId,
        '--shown',
        shown.join(','),
        '--inserted',
        'pick-1',
        '--filtered',
        ids[1]!,
      ],
      { env },
    );
    expect(callback.code).toBe(0);
    expect(callback.stdout).toContain('callback accepted for u1: 4 items');

    const second = await runCli(['byteair', 'predict', '--uid', 'u1', '--size', '4'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('4 items for u1');
    for (const id of shown) expect(second.stdout).not.toMatch(new RegExp(`\\b${id}\\b`));
  });

  it('signs with AK/SK as well', async () => {
    const run = await runCli(['byteair', 'predict', '--uid', 'u2', '--json'], {
      env: { ...env, BYTEAIR_TOKEN: '', BYTEAIR_ACCESS_KEY: TENANT.accessKey, BYTEAIR_SECRET_KEY: TENANT.secretKey },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).value.items.length).toBeGreaterThan(0);
  });

  it('takes the credentials and the scheme from the highest level that gives them', async () => {
    const { BYTEAIR_TOKEN: _, ...noToken } = env;
    const predict = ['byteair', 'predict', '--uid', 'u3', '--timeout', '5000'];
    // AK/SK flags over a token from the environment.
    const flags = await runCli([...predict, '--access-key', TENANT.accessKey, '--secret-key', TENANT.secretKey], {
      env: { ...env, BYTEAIR_TOKEN: 'wrong-token' },
    });
    expect(flags.code, flags.stderr).toBe(0);

    // AK/SK from the environment over a token from the config file.
    const dir = mkdtempSync(join(tmpdir(), 'insight-byteair-'));
    writeFileSync(
      join(dir, 'insight.config.json'),
      JSON.stringify({ byteair: { token: 'wrong-token', scheme: 'https', hosts: [server.url] } }),
    );
    const fromEnv = await runCli(predict, {
      env: { ...noToken, BYTEAIR_ACCESS_KEY: TENANT.accessKey, BYTEAIR_SECRET_KEY: TENANT.secretKey },
      cwd: dir,
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);

    // The scheme of a host URL over the config file's scheme: from the environment, or (a blank variable counting as
    // unset) from the same file.
    const scheme = await runCli([...predict, '--token', TENANT.token], { env, cwd: dir });
    expect(scheme.code, scheme.stderr).toBe(0);
    const blank = await runCli([...predict, '--token', TENANT.token], {
      env: { ...env, BYTEAIR_HOSTS: '', BYTEAIR_SCHEME: ' ' },
      cwd: dir,
    });
    expect(blank.code, blank.stderr).toBe(0);
  });

  it('writes data rows from stdin', async () => {
    const rows = [
      { id: 'w-1', title: 'Grinder' },
      { id: 'w-2', title: 'Kettle' },
    ];
    const run = await runCli(['byteair', 'write', '--topic', 'item'], {
      env,
      stdin: rows.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote 2 rows to item');
  });

  it('writes the rows the service accepts and exits 4 naming each row it refused', async () => {
    const rows = [{ id: 'w-3', title: 'Mug' }, { title: 'no id' }, { id: 'w-4' }];
    const run = await runCli(['byteair', 'write', '--topic', 'item'], {
      env,
      stdin: rows.map((r) => JSON.stringify(r)).join('\n'),
    });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('1 of 3 rows rejected');
    expect(run.stdout).toContain('[1]: ');
    expect(run.stdout).toContain('{"title":"no id"}');
  });

  it('exits 4 on a wrong token, 3 on an inconsistent delivery, 2 without a tenant', async () => {
    const wrong = await runCli(['byteair', 'predict', '--uid', 'u1', '--token', 'nope'], { env });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^error: the service refused the call: .*401/);

    const inconsistent = await runCli(['byteair', 'callback', '--uid', 'u1', '--shown', 'a,b', '--filtered', 'a'], {
      env,
    });
    expect(inconsistent.code).toBe(3);
    expect(inconsistent.stderr).toContain('filtered[0]');

    const missing = await runCli(['byteair', 'predict', '--uid', 'u1'], { env: { ...env, BYTEAIR_TENANT_ID: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --tenant-id');
  });
});
