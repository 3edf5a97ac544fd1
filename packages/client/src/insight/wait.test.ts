import type { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { UserAbortError } from '../core/errors.js';
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

/** Answers the scripted infos in turn and records when each poll happened. */
function script(infos: BacktrackTaskInfo[]) {
  const polls: number[] = [];
  const started = performance.now();
  return {
    polls,
    getInfo: async () => {
      polls.push(performance.now() - started);
      return infos[Math.min(polls.length - 1, infos.length - 1)]!;
    },
  };
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
    const task = script([...Array.from({ length: 6 }, () => info('running', 1)), info('finished', 1)]);
    await waitUntilFinished(7, task.getInfo, { intervalMs: 10, maxIntervalMs: 25 });
    const gaps = task.polls.slice(1).map((t, i) => t - task.polls[i]!);
    // 10, 15, 22.5, then capped at 25.
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[2]).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThan(60);
  });

  it('throws BacktrackTaskFailedError when the task fails', async () => {
    const task = script([info('running', 1), info('failed', 1)]);
    const failure = waitUntilFinished(7, task.getInfo, { intervalMs: 1 });
    await expect(failure).rejects.toBeInstanceOf(BacktrackTaskFailedError);
    await expect(failure).rejects.toMatchObject({ taskId: 7, info: { task_status: 'failed' } });
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
