import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useInsightEmulator } from './support/insight-emulator.js';
import { runCli } from './support/run-cli.js';

const RULE = '["in", "coffee", {"fl": ["title", "asr", "ocr"]}]';

const emulator = useInsightEmulator();

describe('insight backtrack', () => {
  it('previews, creates, waits for and consumes a task', async () => {
    const { env } = emulator;
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
    // The checkpoints live next to the output and let a second run resume: nothing is delivered twice.
    expect(existsSync(join(dir, 'out.jsonl.checkpoints.json'))).toBe(true);
    const again = await runCli(['backtrack', 'consume', String(taskId), '-o', 'out.jsonl', '--json'], {
      env,
      cwd: dir,
    });
    expect(JSON.parse(again.stdout).delivered).toBe(0);

    // Every consumed post matches the rule, checked offline by `rules test`.
    const check = await runCli(['rules', 'test', RULE, '--posts', join(dir, 'out.jsonl'), '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ posts: lines.length, matched: lines.length });
  });

  it('exits 4 for an unknown task, 2 for a malformed task id and 3 for an invalid rule', async () => {
    const { env } = emulator;
    const unknown = await runCli(['backtrack', 'status', '999999'], { env });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('[40004]');
    // Task ids start at 0 for the service: 0 is asked for, not refused as a usage error.
    expect((await runCli(['backtrack', 'status', '0'], { env })).code).toBe(4);
    const malformed = await runCli(['backtrack', 'status', '12a'], { env });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("<task-id>: '12a' is not a task id");
    const dir = mkdtempSync(join(tmpdir(), 'insight-cli-'));
    const consumeUnknown = await runCli(['backtrack', 'consume', '999999', '-o', 'out.jsonl'], { env, cwd: dir });
    expect(consumeUnknown.code).toBe(4);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);

    const invalid = await runCli(['backtrack', 'create', '["in", "coffee", {"f": "nope"}]'], { env });
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain('rule[2].f');
  });
});
