import type { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../core/errors.js';
import type { InsightApi } from './api.js';
import { createMemoryCheckpointStore } from './checkpoint-store.js';
import { backtrackCheckpointKey, type ConsumeContext, consumeBacktrack } from './consume.js';
import type { InsightDelivery } from './streams.js';

/** A finished task whose collectors hold offsets 0…max, served from memory as event streams. */
function fakeTask(maxOffsets: Record<string, number>) {
  const info: BacktrackTaskInfo = {
    task_status: 'finished',
    task_cur_max_offset: Math.max(...Object.values(maxOffsets)),
    collector_cur_max_offset: maxOffsets,
    rule: JSON.stringify({ rule: ['in', 'x', { f: 'title' }], start_date: '2026-01-01', end_date: '2026-01-02' }),
    de_duplicate: true,
    limit: 1000,
  };
  const connections: { collector: string; start: number }[] = [];
  const api: InsightApi = {
    call: () => Promise.reject(new Error('not used')),
    openStream: async (_endpoint, query) => {
      const collector = String(query.collector);
      const start = Number(query.start_offset);
      connections.push({ collector, start });
      const encoder = new TextEncoder();
      async function* body() {
        for (let offset = start; offset <= (maxOffsets[collector] ?? -1); offset++) {
          const doc = {
            post_id: `${collector}-${offset}`,
            origin_id: 'o',
            status: 1,
            publish_time: '2026-01-01 00:00:00',
          };
          const data = JSON.stringify({ collector, offset, msg_id: `m${offset}`, item_doc: doc });
          yield encoder.encode(`id: ${collector}:${offset}\ndata: ${data}\n\n`);
        }
      }
      return body();
    },
  };
  const context: ConsumeContext = {
    api,
    getTaskInfo: async () => info,
    waitUntilFinished: async () => info,
    defaults: {},
    account: ACCOUNT,
  };
  return { context, connections };
}

const key = (d: Pick<InsightDelivery, 'collector' | 'offset'>) => `${d.collector}:${d.offset}`;
const ACCOUNT = { bizName: 'biz', baseUrl: 'https://insight.example.com' };
const TASK_7 = backtrackCheckpointKey(7, ACCOUNT);

describe('consumeBacktrack', () => {
  it('saves an offset only after the sink accepted and flushed every delivery it covers', async () => {
    const { context } = fakeTask({ '0': 9, '1': 4, '2': 0 });
    const store = createMemoryCheckpointStore();
    const log: string[] = [];
    const written = new Set<string>();
    const flushed = new Set<string>();
    const saves: Record<string, number>[] = [];
    const result = await consumeBacktrack(context, 7, {
      checkpoints: {
        load: (k) => store.load(k),
        save: async (k, offsets) => {
          // Every offset saved must be covered by a flush: a crash right now must not lose an accepted delivery.
          for (const [collector, offset] of Object.entries(offsets)) {
            for (let o = 0; o <= offset; o++) expect(flushed.has(`${collector}:${o}`)).toBe(true);
          }
          saves.push({ ...offsets });
          await store.save(k, offsets);
        },
      },
      checkpointEvery: 3,
      sink: {
        write: async (delivery) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          written.add(key(delivery));
          log.push(key(delivery));
        },
        flush: () => {
          for (const k of written) flushed.add(k);
        },
      },
    });
    expect(result).toEqual({ taskId: 7, delivered: 16, offsets: { '0': 9, '1': 4, '2': 0 } });
    expect(await store.load(TASK_7)).toEqual({ '0': 9, '1': 4, '2': 0 });
    expect(saves.length).toBeGreaterThan(3);
    for (const collector of ['0', '1', '2']) {
      const offsets = log.filter((k) => k.startsWith(`${collector}:`)).map((k) => Number(k.split(':')[1]));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it("never resumes from another account's or service's checkpoint of the same task id", async () => {
    const store = createMemoryCheckpointStore();
    for (const account of [
      { bizName: 'other-biz', baseUrl: ACCOUNT.baseUrl },
      { bizName: ACCOUNT.bizName, baseUrl: 'http://127.0.0.1:8080' },
    ]) {
      await store.save(backtrackCheckpointKey(7, account), { '0': 9, '1': 4, '2': 0 });
    }
    const { context } = fakeTask({ '0': 9, '1': 4, '2': 0 });
    const result = await consumeBacktrack(context, 7, { checkpoints: store, onDelivery: () => undefined });
    expect(result.delivered).toBe(16);
    // The key names the origin: the same service written another way is the same key.
    expect(backtrackCheckpointKey(7, { ...ACCOUNT, baseUrl: `${ACCOUNT.baseUrl}/` })).toBe(TASK_7);
    expect(TASK_7).toBe('backtrack:7 biz@https://insight.example.com');
  });

  it('resumes each collector after its checkpoint and skips collectors already drained', async () => {
    const { context, connections } = fakeTask({ '0': 9, '1': 4, '2': 0 });
    const store = createMemoryCheckpointStore();
    await store.save(TASK_7, { '0': 5, '1': 4 });
    const seen: string[] = [];
    const progress: number[] = [];
    await consumeBacktrack(context, 7, {
      checkpoints: store,
      onDelivery: (delivery) => {
        seen.push(key(delivery));
      },
      onProgress: (p) => progress.push(p.collectorsDone),
    });
    expect(seen.sort()).toEqual(['0:6', '0:7', '0:8', '0:9', '2:0']);
    expect(connections.map((c) => `${c.collector}@${c.start}`).sort()).toEqual(['0@6', '2@0']);
    expect(progress.at(-1)).toBe(3);
  });

  it('stops at the first sink failure and keeps the checkpoints of what was accepted', async () => {
    const { context } = fakeTask({ '0': 50, '1': 50 });
    const store = createMemoryCheckpointStore();
    const failure = consumeBacktrack(context, 7, {
      checkpoints: store,
      concurrency: 1,
      onDelivery: (delivery) => {
        if (delivery.collector === '0' && delivery.offset === 20) throw new Error('disk full');
      },
    });
    await expect(failure).rejects.toThrow('disk full');
    expect(await store.load(TASK_7)).toEqual({ '0': 19 });
  });

  it('stops every collector when the caller aborts, saving what was accepted', async () => {
    const { context } = fakeTask({ '0': 500, '1': 500 });
    const store = createMemoryCheckpointStore();
    const controller = new AbortController();
    let accepted = 0;
    const run = consumeBacktrack(context, 7, {
      checkpoints: store,
      signal: controller.signal,
      onDelivery: async () => {
        if (++accepted === 100) controller.abort();
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'UserAbortError' });
    const saved = await store.load(TASK_7);
    expect((saved['0'] ?? -1) + 1 + (saved['1'] ?? -1) + 1).toBe(accepted);
  });

  it('requires exactly one of sink and onDelivery, and sane numbers', async () => {
    const { context } = fakeTask({ '0': 1 });
    const checkpoints = createMemoryCheckpointStore();
    await expect(consumeBacktrack(context, 7, { checkpoints })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(
      consumeBacktrack(context, 7, { checkpoints, onDelivery: () => {}, sink: { write: () => {} } }),
    ).rejects.toThrow('not both');
    await expect(consumeBacktrack(context, 7, { checkpoints, onDelivery: () => {}, concurrency: 0 })).rejects.toThrow(
      'concurrency',
    );
  });
});
