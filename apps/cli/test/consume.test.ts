import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ACCOUNT, useInsightEmulator } from './support/insight-emulator.js';
import { runCli, spawnCli } from './support/run-cli.js';

const RULE = '["in", "coffee", {"fl": ["title", "asr", "ocr"]}]';
const OTHER = { bizName: 'other-biz', secret: 'other-secret' };
const STREAM_ROUTE = 'GET /openapi/item/sse/backtrack/stream';

const emulator = useInsightEmulator({ insight: { accounts: [ACCOUNT, OTHER] } });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'insight-consume-'));
}

/** Creates a finished task for the account of `env` (every match, consumed before or not) and returns its id. */
async function finishedTask(env: Record<string, string>): Promise<number> {
  const created = await runCli(['backtrack', 'create', RULE, '--days', '89', '--no-dedup', '--json'], { env });
  expect(created.code, created.stderr).toBe(0);
  const taskId = JSON.parse(created.stdout).task_id as number;
  const waited = await runCli(['backtrack', 'wait', String(taskId)], { env });
  expect(waited.code, waited.stderr).toBe(0);
  return taskId;
}

/** Each line of a JSONL file parsed (a line that is not JSON fails the test), keyed by collector and offset. */
function deliveries(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const { collector, offset } = JSON.parse(line) as { collector: string; offset: number };
      return `${collector}:${offset}`;
    });
}

describe('insight backtrack consume', () => {
  it('refuses a checkpoint of the same task id for another account, and an output no checkpoint accounts for', async () => {
    const { env } = emulator;
    const otherEnv = { ...env, INSIGHT_BIZ_NAME: OTHER.bizName, INSIGHT_BIZ_SECRET: OTHER.secret };
    const taskId = await finishedTask(env);
    // Task ids are per account: the other account's task with the same id is another task.
    let otherId = await finishedTask(otherEnv);
    while (otherId < taskId) otherId = await finishedTask(otherEnv);
    expect(otherId).toBe(taskId);

    const dir = tempDir();
    const output = join(dir, `backtrack-${taskId}.jsonl`);
    const first = await runCli(['backtrack', 'consume', String(taskId), '--json'], { env, cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const written = readFileSync(output, 'utf8');
    expect(JSON.parse(first.stdout).delivered).toBeGreaterThan(0);

    const other = await runCli(['backtrack', 'consume', String(taskId), '--json'], { env: otherEnv, cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `holds the checkpoint of task ${taskId} for ${ACCOUNT.bizName}@${env.INSIGHT_BASE_URL}`,
    );
    expect(other.stderr).toContain(`not for ${OTHER.bizName}@${env.INSIGHT_BASE_URL}`);
    expect(readFileSync(output, 'utf8')).toBe(written);

    // Without its checkpoint, the output's posts would be fetched and appended again.
    rmSync(`${output}.checkpoints.json`);
    const orphan = await runCli(['backtrack', 'consume', String(taskId)], { env, cwd: dir });
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain(`${output} already holds`);
    expect(readFileSync(output, 'utf8')).toBe(written);
  });

  it('resumes after a failure and a torn write with each post once', async () => {
    const { env, server } = emulator;
    const taskId = await finishedTask(env);
    const dir = tempDir();
    const clean = await runCli(['backtrack', 'consume', String(taskId), '-o', 'clean.jsonl'], { env, cwd: dir });
    expect(clean.code, clean.stderr).toBe(0);
    const all = deliveries(join(dir, 'clean.jsonl'));

    // Collectors are read one at a time: the first five stream requests pass, the sixth is refused.
    server.faults.add({ route: STREAM_ROUTE, latencyMs: 1, times: 5 });
    server.faults.add({ route: STREAM_ROUTE, status: 400, times: 1 });
    onTestFinished(() => server.faults.clear());
    const output = join(dir, 'out.jsonl');
    const failed = await runCli(['backtrack', 'consume', String(taskId), '-o', output, '--concurrency', '1'], {
      env,
      cwd: dir,
    });
    expect(failed.code).toBe(4);
    const partial = deliveries(output);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(all.length);
    server.faults.clear();

    // What a crash after the checkpoint leaves behind: lines it does not cover, the last one torn.
    const lines = readFileSync(output, 'utf8').split('\n');
    appendFileSync(output, `${lines[0]}\n${lines[1]!.slice(0, 20)}`);
    const resumed = await runCli(['backtrack', 'consume', String(taskId), '-o', output, '--json'], { env, cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/cut \d+ bytes written after the last checkpoint/);
    const result = deliveries(output);
    expect(JSON.parse(resumed.stdout).delivered).toBe(all.length - partial.length);
    expect(new Set(result).size).toBe(result.length);
    expect([...result].sort()).toEqual([...all].sort());
  });

  it('stops on SIGTERM, sent twice, while the service is slow, and resumes to every post once', async () => {
    const { env, server } = emulator;
    const taskId = await finishedTask(env);
    const dir = tempDir();
    const clean = await runCli(['backtrack', 'consume', String(taskId), '-o', 'clean.jsonl'], { env, cwd: dir });
    const all = deliveries(join(dir, 'clean.jsonl'));
    expect(clean.code).toBe(0);

    server.faults.add({ route: STREAM_ROUTE, latencyMs: 60_000 });
    onTestFinished(() => server.faults.clear());
    const output = join(dir, 'out.jsonl');
    const child = spawnCli(['backtrack', 'consume', String(taskId), '-o', output], { env, cwd: dir });
    child.stdin.end();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The checkpoint is claimed once the task is known, before the streams open.
    await expect.poll(() => existsSync(`${output}.checkpoints.json`), { timeout: 30_000, interval: 50 }).toBe(true);
    child.kill('SIGTERM');
    // The second signal comes while the first one's clean stop runs, or after it ended: either way nothing is lost.
    await expect.poll(() => stderr, { timeout: 30_000, interval: 20 }).toContain('SIGTERM: stopping');
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    server.faults.clear();

    const resumed = await runCli(['backtrack', 'consume', String(taskId), '-o', output], { env, cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = deliveries(output);
    expect([...result].sort()).toEqual([...all].sort());
  });

  it('keeps consuming when the reader of its logs goes away', async () => {
    const { env } = emulator;
    const taskId = await finishedTask(env);
    const dir = tempDir();
    const clean = await runCli(['backtrack', 'consume', String(taskId), '-o', 'clean.jsonl'], { env, cwd: dir });
    expect(clean.code).toBe(0);
    // --debug logs every call on stderr; its reader takes the first chunk and closes the pipe.
    const child = spawnCli(['backtrack', 'consume', String(taskId), '-o', 'out.jsonl', '--debug'], { env, cwd: dir });
    child.stdin.end();
    child.stderr.once('data', () => child.stderr.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(deliveries(join(dir, 'out.jsonl')).sort()).toEqual(deliveries(join(dir, 'clean.jsonl')).sort());
  });

  it('reports a checkpoint file it cannot use, naming it, with exit code 2', async () => {
    const { env } = emulator;
    const taskId = await finishedTask(env);
    const dir = tempDir();
    const consume = (checkpoints: string) =>
      runCli(['backtrack', 'consume', String(taskId), '-o', join(dir, 'out.jsonl'), '--checkpoints', checkpoints], {
        env,
        cwd: dir,
      });

    const directory = await consume(dir);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(new RegExp(`^error: cannot read ${dir}: EISDIR`));

    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, '{"version": 1, "checkpoints": ');
    const broken = await consume(malformed);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: checkpoint file .*malformed\.json is not valid JSON/);

    // A checkpoint keyed by the task id alone, as an earlier version wrote it.
    const older = join(dir, 'older.json');
    writeFileSync(older, JSON.stringify({ version: 1, checkpoints: { [`backtrack:${taskId}`]: { '0': 3 } } }));
    const old = await consume(older);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain(`holds a checkpoint of task ${taskId} from an earlier version`);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('reports an output it cannot open or write at once, naming the file and the error', async () => {
    const { env } = emulator;
    const taskId = await finishedTask(env);
    const dir = tempDir();
    const missing = join(dir, 'missing', 'out.jsonl');
    const unopened = await runCli(['backtrack', 'consume', String(taskId), '-o', missing], { env, cwd: dir });
    expect(unopened.code).toBe(2);
    expect(unopened.stderr).toBe(`error: cannot open ${missing} for writing: ENOENT (no such file or directory)\n`);

    const full = await runCli(
      ['backtrack', 'consume', String(taskId), '-o', '/dev/full', '--checkpoints', join(dir, 'full.json')],
      { env, cwd: dir },
    );
    expect(full.code).toBe(1);
    expect(full.stderr).toBe('error: cannot write /dev/full: ENOSPC (no space left on device)\n');
    // Nothing was written, so the checkpoint still says so: a later run starts from the beginning.
    expect(JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8')).checkpoints).toEqual({
      [`backtrack:${taskId} ${ACCOUNT.bizName}@${env.INSIGHT_BASE_URL}`]: { output_bytes: 0 },
    });
  });
});
