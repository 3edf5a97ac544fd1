import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInsightClient } from '@insight/client';
import { createManualClock } from '@insight/mock-server';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, useInsightEmulator } from './support/insight-emulator.js';
import { runCli } from './support/run-cli.js';

const clock = createManualClock();
// One post per slice: the task is still running when the test moves the clock past its data expiry.
const emulator = useInsightEmulator({ clock, insight: { corpus: { size: 20_000 }, backtrackSlicePosts: 1 } });

describe('a failed backtrack task', () => {
  it('ends wait and consume with exit code 4, naming the task', async () => {
    const { env, server } = emulator;
    const client = createInsightClient({ baseUrl: server.url, bizName: ACCOUNT.bizName, bizSecret: ACCOUNT.secret });
    try {
      const now = Date.now();
      const { task_id: taskId } = await client.backtrack.create({
        rule: ['in', 'coffee', { f: 'title' }],
        start_time: new Date(now - 30 * 86_400_000),
        end_time: new Date(now),
        limit: 100_000,
      });
      expect((await client.backtrack.info(taskId)).task_status).toBe('running');
      // Six hours after its first slice, a task's data expires: its next slice fails it.
      clock.advance(7 * 3_600_000);

      const waited = await runCli(['backtrack', 'wait', String(taskId), '--json'], { env });
      expect(waited.code).toBe(4);
      expect(waited.stderr).toMatch(
        new RegExp(`^error: backtrack task ${taskId} failed: the task data expired before the backtrack could finish`),
      );
      expect(JSON.parse(waited.stdout).error).toMatchObject({ exitCode: 4, type: 'BacktrackTaskFailedError' });

      const dir = mkdtempSync(join(tmpdir(), 'insight-failed-'));
      const consumed = await runCli(['backtrack', 'consume', String(taskId)], { env, cwd: dir });
      expect(consumed.code).toBe(4);
      expect(consumed.stderr).toMatch(new RegExp(`^error: backtrack task ${taskId} failed`));
    } finally {
      await client.close();
    }
  });
});
