import type { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it, vi } from 'vitest';
import { UserAbortError } from '../core/errors.js';
import { insightApiError } from '../../test/support/insight-errors.js';
import { BacktrackTaskFailedError, waitUntilFinished } from './wait.js';

function info(status: BacktrackTaskInfo['task_status'], offset: number): BacktrackTaskInfo {
  return {
    task_status: status,
    task_cur_max_offset: offset,
    collector_cur_max_offset: { '0': offset },
    rule: '{}',
    de_duplicate: true,
    limit: 10,
  };
}

/** Answers the scripted infos in turn, then repeats the last one. */
function script(infos: BacktrackTaskInfo[]) {
  let polls = 0;
  return { getInfo: async () => infos[Math.min(polls++, infos.length - 1)]! };
}

describe('waitUntilFinished', () => {
  it('reports progress on change only and returns the final info', async () => {
    const task = script([
      info('waiting', -1),
      info('running', 2),
      info('running', 2),
      info('running', 5),
      info('finished', 5),
    ]);
    const reported: string[] = [];
    const final = await waitUntilFinished(7, task.getInfo, {
      intervalMs: 1,
      onProgress: (i) => reported.push(`${i.task_status}:${i.task_cur_max_offset}`),
    });
    expect(final.task_status).toBe('finished');
    expect(reported).toEqual(['waiting:-1', 'running:2', 'running:5', 'finished:5']);
  });

  it('polls less often while nothing changes, up to the maximum interval', async () => {
    vi.useFakeTimers();
    try {
      const polls: number[] = [];
      const infos = [...Array.from({ length: 6 }, () => info('running', 1)), info('running', 2), info('finished', 2)];
      const done = waitUntilFinished(
        7,
        async () => {
          polls.push(Date.now());
          return infos[polls.length - 1]!;
        },
        { intervalMs: 10, maxIntervalMs: 25 },
      );
      while (polls.length < infos.length) await vi.advanceTimersToNextTimerAsync();
      await done;
      const gaps = polls.slice(1).map((t, i) => t - polls[i]!);
      // Grows by half while nothing changes (10, 15, 22.5 → 23, then capped at 25), back to 10 after progress.
      expect(gaps).toEqual([10, 15, 23, 25, 25, 25, 10]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('throws BacktrackTaskFailedError when the task fails', async () => {
    const task = script([info('running', 1), info('failed', 1)]);
    const failure = waitUntilFinished(7, task.getInfo, { intervalMs: 1 });
    await expect(failure).rejects.toBeInstanceOf(BacktrackTaskFailedError);
    await expect(failure).rejects.toMatchObject({ taskId: 7, info: { task_status: 'failed' } });
  });

  it('polls again after a poll that fails with a retryable error, up to reconnect.maxAttempts in a row', async () => {
    const busy = insightApiError(10000);
    const outcomes = [busy, busy, info('running', 1), busy, busy, info('finished', 1)];
    let polls = 0;
    const getInfo = async () => {
      const outcome = outcomes[polls++]!;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    };
    const final = await waitUntilFinished(7, getInfo, { intervalMs: 1, reconnect: { maxAttempts: 2 } });
    expect(final.task_status).toBe('finished');
    expect(polls).toBe(6);
    polls = 0;
    outcomes.splice(0, outcomes.length, busy, busy, busy, info('finished', 1));
    await expect(waitUntilFinished(7, getInfo, { intervalMs: 1, reconnect: { maxAttempts: 2 } })).rejects.toBe(busy);
    expect(polls).toBe(3);
  });

  it('fails at once on a poll refused for good', async () => {
    const refused = insightApiError(40004);
    let polls = 0;
    const getInfo = async (): Promise<BacktrackTaskInfo> => {
      polls++;
      throw refused;
    };
    await expect(waitUntilFinished(7, getInfo, { intervalMs: 1 })).rejects.toBe(refused);
    expect(polls).toBe(1);
  });

  it('stops with UserAbortError when the signal aborts between polls', async () => {
    const task = script([info('running', 1)]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      waitUntilFinished(7, task.getInfo, { intervalMs: 5, signal: controller.signal }),
    ).rejects.toBeInstanceOf(UserAbortError);
  });
});
