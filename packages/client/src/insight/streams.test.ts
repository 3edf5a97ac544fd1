import type { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { ResponseValidationError } from '../core/errors.js';
import type { InsightApi } from './api.js';
import { type InsightDelivery, type StreamContext, streamBacktrack, streamRealtime } from './streams.js';

const encoder = new TextEncoder();
const doc = (id: string) => ({ post_id: id, origin_id: 'o', status: 1, publish_time: '2026-01-01 00:00:00' });
const event = (collector: string, offset: number, extra: Record<string, unknown> = {}) =>
  `id: ${collector}:${offset}\ndata: ${JSON.stringify({ collector, offset, msg_id: `m${offset}`, item_doc: doc(`${collector}-${offset}`), ...extra })}\n\n`;

/** Serves scripted bodies per connection and records each connection's query. */
function fakeApi(
  serve: (query: Record<string, unknown>, connection: number) => string[],
  infos: BacktrackTaskInfo[] = [],
) {
  const queries: Record<string, unknown>[] = [];
  let infoCalls = 0;
  const api: InsightApi = {
    call: () => Promise.reject(new Error('not used')),
    openStream: async (_endpoint, query) => {
      queries.push({ ...query });
      const chunks = serve(query, queries.length);
      async function* body() {
        for (const chunk of chunks) yield encoder.encode(chunk);
      }
      return body();
    },
  };
  const context: StreamContext = {
    api,
    getTaskInfo: async () => infos[Math.min(infoCalls++, infos.length - 1)]!,
    defaults: { reconnect: { baseDelayMs: 1, maxDelayMs: 2 } },
  };
  return { context, queries, infoCalls: () => infoCalls };
}

function taskInfo(status: BacktrackTaskInfo['task_status'], maxOffsets: Record<string, number>): BacktrackTaskInfo {
  return {
    task_status: status,
    task_cur_max_offset: Math.max(...Object.values(maxOffsets)),
    collector_cur_max_offset: maxOffsets,
    rule: '{}',
    de_duplicate: true,
    limit: 100,
  };
}

async function collect(iterable: AsyncIterable<InsightDelivery>): Promise<InsightDelivery[]> {
  const out: InsightDelivery[] = [];
  for await (const delivery of iterable) out.push(delivery);
  return out;
}

describe('stream.backtrack', () => {
  it('opens one connection per collector and keeps reading while the task runs', async () => {
    // The task is still running when the first connections end; they resume after the last offset seen.
    const service = fakeApi(
      (query) => {
        const start = Number(query.start_offset);
        return start === 0
          ? [event(String(query.collector), 0), event(String(query.collector), 1)]
          : [event(String(query.collector), 2)];
      },
      [taskInfo('running', { '0': 1, '1': 1 }), taskInfo('finished', { '0': 2, '1': 2 })],
    );
    const deliveries = await collect(streamBacktrack(service.context, { taskId: 4, collectors: ['0', '1'] }));
    expect(deliveries.map((d) => `${d.collector}:${d.offset}`).sort()).toEqual([
      '0:0',
      '0:1',
      '0:2',
      '1:0',
      '1:1',
      '1:2',
    ]);
    expect(service.queries.filter((q) => q.collector === '0').map((q) => q.start_offset)).toEqual([0, 2]);
    expect(service.queries[0]).toMatchObject({ task_id: 4 });
  });

  it('ends a collector whose last offset is a gap once connections in a row confirm it', async () => {
    // Offset 3 is withheld: the finished task reports 3 as the max, the stream never carries it.
    const service = fakeApi(
      (query) => (Number(query.start_offset) === 0 ? [event('0', 0), event('0', 2)] : []),
      [taskInfo('finished', { '0': 3 })],
    );
    const deliveries = await collect(streamBacktrack(service.context, { taskId: 4, collectors: ['0'] }));
    expect(deliveries.map((d) => d.offset)).toEqual([0, 2]);
    expect(service.queries.map((q) => q.start_offset)).toEqual([0, 3, 3, 3]);
  });

  it('starts each collector at its own offset', async () => {
    const service = fakeApi(
      (query) => [event(String(query.collector), Number(query.start_offset))],
      [taskInfo('finished', { '0': 5, '1': 9 })],
    );
    await collect(streamBacktrack(service.context, { taskId: 4, collectors: ['0', '1'], from: { '0': 5, '1': 9 } }));
    expect(service.queries.map((q) => `${q.collector}@${q.start_offset}`).sort()).toEqual(['0@5', '1@9']);
  });

  it('refuses an event that breaks the schema or belongs to another collector', async () => {
    const broken = fakeApi(
      () => [event('0', 0, { item_doc: { ...doc('0-0'), post_id: '' } })],
      [taskInfo('finished', { '0': 0 })],
    );
    await expect(collect(streamBacktrack(broken.context, { taskId: 4, collectors: ['0'] }))).rejects.toBeInstanceOf(
      ResponseValidationError,
    );
    await expect(collect(streamBacktrack(broken.context, { taskId: 4, collectors: ['0'] }))).rejects.toThrow(
      'item_doc.post_id',
    );
    const stray = fakeApi(() => [event('7', 0)], [taskInfo('finished', { '0': 0 })]);
    await expect(collect(streamBacktrack(stray.context, { taskId: 4, collectors: ['0'] }))).rejects.toThrow(
      'collector "7" on the stream of collector 0',
    );
  });

  it.each([
    ['a negative offset', { offset: -1 }, 'offset must be a non-negative integer, got -1'],
    ['a fractional offset', { offset: 1.5 }, 'offset must be a non-negative integer, got 1.5'],
    ['no msg_id', { msg_id: undefined }, 'msg_id must be a string'],
    ['a missing post', { item_doc: undefined }, 'item_doc: '],
  ])('names the field of an event with %s', async (_, fields, message) => {
    const service = fakeApi(() => [event('0', 0, fields)], [taskInfo('finished', { '0': 0 })]);
    const failure = collect(streamBacktrack(service.context, { taskId: 4, collectors: ['0'] }));
    await expect(failure).rejects.toBeInstanceOf(ResponseValidationError);
    await expect(failure).rejects.toThrow(`stream event of collector 0: ${message}`);
  });

  it('refuses event data that is not a JSON object', async () => {
    const raw = (data: string) => fakeApi(() => [`data: ${data}\n\n`], [taskInfo('finished', { '0': 0 })]);
    await expect(collect(streamBacktrack(raw('[1]').context, { taskId: 4, collectors: ['0'] }))).rejects.toThrow(
      'data must be a JSON object',
    );
    await expect(collect(streamBacktrack(raw('{').context, { taskId: 4, collectors: ['0'] }))).rejects.toThrow(
      'data is not JSON',
    );
  });
});

describe('stream.realtime', () => {
  it('starts from `since` and reconnects from the last offset seen plus one', async () => {
    const since = Date.UTC(2026, 0, 1);
    const service = fakeApi((_query, connection) =>
      connection === 1 ? [event('2', since + 10), event('2', since + 25)] : [event('2', since + 40)],
    );
    const seen: number[] = [];
    for await (const delivery of streamRealtime(service.context, { collectors: ['2'], since: new Date(since) })) {
      seen.push(delivery.offset);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([since + 10, since + 25, since + 40]);
    expect(service.queries.map((q) => q.start_offset)).toEqual([since, since + 26]);
  });

  it('leaves the start to the service when no `since` is given', async () => {
    const service = fakeApi(() => [event('0', 1000)]);
    for await (const _ of streamRealtime(service.context, { collectors: ['0'], syncOnly: true })) break;
    expect(service.queries[0]).toEqual({ collector: '0', start_offset: undefined, sync_only: 'true' });
  });
});
