import { BacktrackTaskFailedError } from '@insight/client';
import type { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { classifyError } from './error-report.js';
import { EXIT_CODES } from './errors.js';

const INFO: BacktrackTaskInfo = {
  task_status: 'failed',
  task_cur_max_offset: 3,
  collector_cur_max_offset: { '0': 3 },
  rule: JSON.stringify({ rule: ['in', 'coffee', { f: 'title' }], start_date: '2026-01-01', end_date: '2026-01-02' }),
  de_duplicate: true,
  limit: 10,
};

describe('classifyError', () => {
  it('reports a failed backtrack task as a service failure, with the reason the service gave', async () => {
    const failed = new BacktrackTaskFailedError(7, {
      ...INFO,
      fail_reason: 'the task data expired',
    });
    expect(await classifyError(failed)).toEqual({
      type: 'BacktrackTaskFailedError',
      message: 'backtrack task 7 failed: the task data expired',
      exitCode: EXIT_CODES.API,
    });
    expect((await classifyError(new BacktrackTaskFailedError(8, INFO))).message).toBe('backtrack task 8 failed');
  });
});
