import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useInsightEmulator } from './support/insight-emulator.js';
import { runCli } from './support/run-cli.js';

const RULE = '["in", "coffee", {"fl": ["title", "asr", "ocr"]}]';

const emulator = useInsightEmulator();

describe('insight token', () => {
  it('prints a token, alone or as JSON', async () => {
    const { env } = emulator;
    const human = await runCli(['token'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout.trim()).toMatch(/^\S{8,}$/);
    const json = await runCli(['token', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ access_token: expect.any(String), expire: expect.any(Number) });
  });

  it('exits 4 with the service message on wrong credentials', async () => {
    const { env } = emulator;
    const run = await runCli(['token', '--json'], { env: { ...env, INSIGHT_BIZ_SECRET: 'wrong' } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: the service refused the call: GET \/oauth\/access_token: \[4000\d\]/);
    expect(JSON.parse(run.stdout).error).toMatchObject({ exitCode: 4 });
  });

  it('exits 2 naming where to set a missing setting', async () => {
    const { env } = emulator;
    const run = await runCli(['token'], { env: { INSIGHT_BASE_URL: env.INSIGHT_BASE_URL! } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing --biz-name: pass it, set INSIGHT_BIZ_NAME, or set insight.bizName');
  });

  it('reads --config given before the command, and ./insight.config.json when INSIGHT_CONFIG is blank', async () => {
    const { env } = emulator;
    const dir = mkdtempSync(join(tmpdir(), 'insight-config-'));
    const config = {
      insight: { baseUrl: env.INSIGHT_BASE_URL, bizName: env.INSIGHT_BIZ_NAME, bizSecret: env.INSIGHT_BIZ_SECRET },
    };
    writeFileSync(join(dir, 'ci.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'insight.config.json'), JSON.stringify(config));
    for (const args of [
      ['--config', 'ci.json', 'token'],
      ['--json', '--config=ci.json', 'token'],
    ]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    const blank = await runCli(['token'], { cwd: dir, env: { INSIGHT_CONFIG: '' } });
    expect(blank.code, blank.stderr).toBe(0);
    const dangling = await runCli(['--config'], { cwd: dir });
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toContain('--config needs a value');
  });

  it('exits 5 when the service cannot be reached', async () => {
    const { env } = emulator;
    const run = await runCli(['backtrack', 'status', '1', '--timeout', '2000'], {
      env: { ...env, INSIGHT_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('cannot reach');
  });
});

describe('insight subs and search', () => {
  it('creates, lists and updates realtime tasks', async () => {
    const { env } = emulator;
    const created = await runCli(['subs', 'create', RULE, '--json'], { env });
    expect(created.code).toBe(0);
    const taskId = JSON.parse(created.stdout).task_id as number;

    const listed = await runCli(['subs', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout).tasks).toContainEqual(
      expect.objectContaining({ task_id: taskId, enable_status: 1 }),
    );

    const updated = await runCli(['subs', 'update', String(taskId), '--disable'], { env });
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain(`updated realtime task ${taskId}`);
    const human = await runCli(['subs', 'list'], { env });
    expect(human.stdout).toMatch(new RegExp(`${taskId}\\s+no`));

    const nothing = await runCli(['subs', 'update', String(taskId)], { env });
    expect(nothing.code).toBe(2);
  });

  it('checks a rule update against the limits of the sync mode the task ends with', async () => {
    const { env } = emulator;
    const tags = '["list_intersect", {"f": "tags"}, ["food"]]';
    const created = await runCli(['subs', 'create', tags, '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const taskId = JSON.parse(created.stdout).task_id as number;
    const toSync = await runCli(['subs', 'update', String(taskId), '--sync-mode', '1'], { env });
    expect(toSync.code).toBe(3);
    expect(toSync.stderr).toContain(`invalid realtime-sync rule (the rule of task ${taskId}): rule[1].f`);

    const sync = await runCli(['subs', 'create', RULE, '--sync-mode', '1', '--json'], { env });
    expect(sync.code, sync.stderr).toBe(0);
    const syncId = JSON.parse(sync.stdout).task_id as number;
    const newRule = await runCli(['subs', 'update', String(syncId), '--rule', tags], { env });
    expect(newRule.code).toBe(3);
    expect(newRule.stderr).toContain('invalid realtime-sync rule (the rule argument): rule[1].f');
    expect((await runCli(['subs', 'update', String(syncId), '--rule', RULE], { env })).code).toBe(0);
  });

  it('searches posts', async () => {
    const { env } = emulator;
    const run = await runCli(['search', RULE, '--days', '89', '--limit', '5', '--json'], { env });
    expect(run.code).toBe(0);
    const { items } = JSON.parse(run.stdout);
    expect(items).toHaveLength(5);
    const human = await runCli(['search', RULE, '--days', '89', '--limit', '3'], { env });
    expect(human.stdout).toContain('3 posts');
  });
});
