import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BODY_BYTES } from '@insight/mock-server';
import { formatInsightTime } from '@insight/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, spawnCli } from './support/run-cli.js';

/** Starts `insight serve --json` and resolves with its startup info once it is listening. */
function startServe(args: string[]) {
  const child = spawnCli(['serve', '--port', '0', '--json', ...args]);
  child.stdin.end();
  // A failed assertion must not leave the emulator running behind the test.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const started = new Promise<{ url: string; insight: { accounts: { bizName: string; secret: string }[] } }>(
    (resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
      });
      child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    },
  );
  return { child, started, exited, logs: () => stderr };
}

describe('insight serve', () => {
  it('serves imported posts with the given account, logs each request, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'insight-serve-'));
    // Posts as `backtrack consume` writes them (an envelope per line) or bare, published an hour ago (UTC+8).
    const published = formatInsightTime(Date.now() - 3_600_000);
    const doc = (id: string) => ({
      post_id: id,
      origin_id: `o${id}`,
      status: 1,
      publish_time: published,
      title: `zebra ${id}`,
    });
    const importFile = join(dataDir, 'posts.jsonl');
    const lines = [{ collector: '0', offset: 0, item_doc: doc('91') }, doc('92')];
    writeFileSync(importFile, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const serve = startServe([
      ...['--data-dir', dataDir, '--posts', '500', '--import', importFile],
      ...['--account', 'acme:s3cret', '--tenant', 'acme-t:tok'],
    ]);
    const info = await serve.started;
    expect(info.insight.accounts).toEqual([{ bizName: 'acme', secret: 's3cret' }]);
    expect(info).toMatchObject({ imported: 2 });

    const insightEnv = { INSIGHT_BASE_URL: info.url, INSIGHT_BIZ_NAME: 'acme', INSIGHT_BIZ_SECRET: 's3cret' };
    const found = await runCli(['search', 'title:"zebra"', '--days', '1', '--json'], { env: insightEnv });
    expect(found.code, found.stderr).toBe(0);
    expect(
      JSON.parse(found.stdout)
        .items.map((d: { post_id: string }) => d.post_id)
        .sort(),
    ).toEqual(['91', '92']);
    const predict = await runCli([
      'byteair',
      'predict',
      '--uid',
      'u',
      '--host',
      info.url,
      '--tenant-id',
      'acme-t',
      '--token',
      'tok',
      '--app',
      'a',
    ]);
    expect(predict.code).toBe(0);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.logs()).toMatch(/GET \/oauth\/access_token 200/);
    expect(serve.logs()).toMatch(/POST \/openapi\/item\/search 200/);
    expect(serve.logs()).toMatch(/POST \/predict\/api\/a\/default 200/);
    expect(serve.logs()).toContain('emulator stopped');
  });

  it('imports a file larger than one request may carry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-serve-'));
    const published = formatInsightTime(Date.now() - 3_600_000);
    const filler = 'x'.repeat(2000);
    const posts = Array.from({ length: 9000 }, (_, i) =>
      JSON.stringify({ post_id: `big-${i}`, origin_id: `o${i}`, status: 1, publish_time: published, title: filler }),
    );
    const importFile = join(dir, 'big.jsonl');
    writeFileSync(importFile, `${posts.join('\n')}\n`);
    expect(statSync(importFile).size).toBeGreaterThan(DEFAULT_BODY_BYTES);
    const serve = startServe(['--data-dir', ':memory:', '--posts', '0', '--import', importFile, '--quiet']);
    expect(await serve.started).toMatchObject({ imported: 9000 });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('refuses a malformed flag with exit code 2, naming it', async () => {
    const run = await runCli(['serve', '--port', '0', '--data-dir', ':memory:', '--tenant', 'only-id']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--tenant: 'only-id' is not id:token or id:accessKey:secretKey");
    const days = await runCli(['serve', '--port', '0', '--data-dir', ':memory:', '--days', '0']);
    expect(days.code).toBe(2);
    expect(days.stderr).toBe("error: --days: '0' is not a number > 0 and ≤ 365\n");
  });
});
