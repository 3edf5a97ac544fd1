import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

describe('insight demo', () => {
  it('runs every step of both services and reports them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-demo-test-'));
    const output = join(dir, 'posts.jsonl');
    const run = await runCli(['demo', '--posts', '10000', '--output', output]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/^✗/m);
    for (const step of ['Get an access token', 'Create a backtrack task', 'Consume every collector', 'Predict again']) {
      expect(run.stdout).toMatch(new RegExp(`✓ +\\d+\\. ${step}`));
    }
    expect(run.stdout).toContain('unknown field "poi_city"');
    expect(run.stdout).toMatch(/demo finished in/);
    expect(readFileSync(output, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });

  it('puts a JSON summary on stdout and the steps on stderr with --json, keeping --data-dir', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'insight-demo-test-')), 'data');
    const run = await runCli(['demo', '--posts', '5000', '--data-dir', dir, '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.steps).toHaveLength(12);
    expect(summary.insight.delivered).toBeGreaterThan(0);
    expect(run.stderr).toContain('✓  1. Start the emulator');
    expect(existsSync(join(dir, 'backtrack.jsonl'))).toBe(true);
  });

  it('runs again over the same data directory and output as it ran the first time', async () => {
    const root = mkdtempSync(join(tmpdir(), 'insight-demo-test-'));
    const args = ['demo', '--posts', '5000', '--data-dir', join(root, 'data'), '--output', join(root, 'posts.jsonl')];
    const first = await runCli([...args, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli([...args, '--json']);
    expect(second.code, second.stderr).toBe(0);
    const [before, after] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    expect(after.insight.delivered).toBeGreaterThan(0);
    expect(after.insight).toMatchObject({ taskId: before.insight.taskId, delivered: before.insight.delivered });
    expect(after.byteair).toEqual(before.byteair);
    const lines = readFileSync(join(root, 'posts.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(after.insight.delivered);
  });

  it('marks the failing step and exits 1 when a step fails', async () => {
    // The one post of a one-post corpus (default seed) does not match the demo rule: the backtrack delivers nothing.
    const run = await runCli(['demo', '--posts', '1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ +9\. Summary/m);
    expect(run.stderr).toContain('error: demo failed at step 9 (Summary): the backtrack delivered no posts');
  });
});
