import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockServer, type MockServer } from '@insight/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const ACCOUNT = { bizName: 'cli-biz', secret: 'cli-secret' };
const RULE = '["in", "coffee", {"fl": ["title", "asr", "ocr"]}]';

let server: MockServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await createMockServer({
    insight: { accounts: [ACCOUNT], corpus: { size: 3000 }, firehoseRate: 0 },
  });
  env = { INSIGHT_BASE_URL: server.url, INSIGHT_BIZ_NAME: ACCOUNT.bizName, INSIGHT_BIZ_SECRET: ACCOUNT.secret };
});

afterAll(async () => {
  await server?.close();
});

describe('insight token', () => {
  it('prints a token, alone or as JSON', async () => {
    const human = await runCli(['token'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout.trim()).toMatch(/^\S{8,}$/);
    const json = await runCli(['token', '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ access_token: expect.any(String), expire: expect.any(Number) });
  });

  it('exits 4 with the service message on wrong credentials', async () => {
    const run = await runCli(['token', '--json'], { env: { ...env, INSIGHT_BIZ_SECRET: 'wrong' } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: the service refused the call: HTTP 401 \[4000\d\]/);
    expect(JSON.parse(run.stdout).error).toMatchObject({ exitCode: 4 });
  });

  it('exits 2 naming where to set a missing setting', async () => {
    const run = await runCli(['token'], { env: { INSIGHT_BASE_URL: server.url } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing --biz-name: pass it, set INSIGHT_BIZ_NAME, or set insight.bizName');
  });

  it('exits 5 when the service cannot be reached', async () => {
    const run = await runCli(['backtrack', 'status', '1', '--timeout', '2000'], {
      env: { ...env, INSIGHT_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('cannot reach');
  });
});

describe('insight backtrack', () => {
  it('previews, creates, waits for and consumes a task', async () => {
    const preview = await runCli(['backtrack', 'preview', RULE, '--days', '89', '--json'], { env });
    expect(preview.code).toBe(0);
    const { count } = JSON.parse(preview.stdout);
    expect(count).toBeGreaterThan(0);

    const created = await runCli(['backtrack', 'create', RULE, '--days', '89', '--limit', '5000', '--json'], { env });
    expect(created.code).toBe(0);
    const taskId = JSON.parse(created.stdout).task_id as number;
    expect(taskId).toBeGreaterThan(0);

    const waited = await runCli(['backtrack', 'wait', String(taskId)], { env });
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain(`task ${taskId}: finished`);

    const status = await runCli(['backtrack', 'status', String(taskId), '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ task_id: taskId, task_status: 'finished' });

    const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
    const consumed = await runCli(['backtrack', 'consume', String(taskId), '-o', 'out.jsonl', '--json'], {
      env,
      cwd: dir,
    });
    expect(consumed.code).toBe(0);
    const result = JSON.parse(consumed.stdout);
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(result.delivered).toBe(lines.length);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        collector: expect.any(String),
        offset: expect.any(Number),
        item_doc: expect.any(Object),
      });
    }
    // The checkpoint file lets a second run resume: nothing is delivered twice.
    const again = await runCli(['backtrack', 'consume', String(taskId), '-o', 'out.jsonl', '--json'], {
      env,
      cwd: dir,
    });
    expect(JSON.parse(again.stdout).delivered).toBe(0);

    // Every consumed post matches the rule, checked offline by `rules test`.
    const check = await runCli(['rules', 'test', RULE, '--posts', join(dir, 'out.jsonl'), '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ posts: lines.length, matched: lines.length });
  });

  it('exits 4 for an unknown task and 3 for an invalid rule', async () => {
    const unknown = await runCli(['backtrack', 'status', '999999'], { env });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('[40004]');

    const invalid = await runCli(['backtrack', 'create', '["in", "coffee", {"f": "nope"}]'], { env });
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain('rule[2].f');
  });
});

describe('insight subs and search', () => {
  it('creates, lists and updates realtime tasks', async () => {
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

  it('searches posts', async () => {
    const run = await runCli(['search', RULE, '--days', '89', '--limit', '5', '--json'], { env });
    expect(run.code).toBe(0);
    const { items } = JSON.parse(run.stdout);
    expect(items).toHaveLength(5);
    const human = await runCli(['search', RULE, '--days', '89', '--limit', '3'], { env });
    expect(human.stdout).toContain('3 posts');
  });
});
