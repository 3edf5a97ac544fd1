import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, RequestValidationError, ResponseValidationError } from '../core/errors.js';
import { createInsightClient, type InsightClientOptions } from './client.js';

const BASE = 'https://insight.test';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

type Answer = { status?: number; json: unknown };

/** A MockAgent that answers every call with `handler` and records what was sent. */
function mockService(handler: (request: Seen) => Answer) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  agent
    .get(BASE)
    .intercept({ path: () => true, method: () => true })
    .reply((options) => {
      const url = new URL(options.path, BASE);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries((options.headers ?? {}) as Record<string, string>)) {
        headers[name.toLowerCase()] = value;
      }
      const text =
        typeof options.body === 'string'
          ? options.body
          : options.body
            ? Buffer.from(options.body as Uint8Array).toString()
            : '';
      const request: Seen = {
        method: options.method,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: text ? JSON.parse(text) : undefined,
        at: performance.now(),
      };
      seen.push(request);
      const answer = handler(request);
      return { statusCode: answer.status ?? 200, data: JSON.stringify(answer.json) };
    })
    .persist();
  return { agent, seen, calls: (path: string) => seen.filter((request) => request.path === path) };
}

const ok = (data: unknown): Answer => ({ json: { status: 0, message: 'succeed', data } });
const fail = (status: number, message: string): Answer => ({
  status,
  json: { status: Number(message.slice(1, 6)), message },
});

const TASK_INFO = {
  task_status: 'running',
  task_cur_max_offset: 3,
  collector_cur_max_offset: { '0': 3 },
  rule: JSON.stringify({ rule: ['in', 'cat', { f: 'title' }], start_date: '2026-01-01', end_date: '2026-01-02' }),
  de_duplicate: true,
  limit: 100,
};

let serial = 0;
/** Token calls answer t1, t2, …; other calls run `handler`. */
function withTokens(handler: (request: Seen) => Answer) {
  return (request: Seen): Answer =>
    request.path === '/oauth/access_token' ? ok({ access_token: `t${++serial}`, expire: 7200 }) : handler(request);
}

const clients: { close(): Promise<void> }[] = [];
function client(agent: MockAgent, overrides: Partial<InsightClientOptions> = {}) {
  const created = createInsightClient({
    bizName: 'biz-1',
    bizSecret: 'secret-1',
    baseUrl: BASE,
    dispatcher: agent,
    backoff: { baseMs: 1, capMs: 5 },
    ...overrides,
  });
  clients.push(created);
  return created;
}

afterEach(async () => {
  serial = 0;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('InsightClient tokens', () => {
  it('fetches one token for many concurrent calls and sends it with the biz name', async () => {
    const service = mockService(withTokens(() => ok(TASK_INFO)));
    const insight = client(service.agent);
    await Promise.all(Array.from({ length: 12 }, () => insight.backtrack.info(7)));
    const [token] = service.calls('/oauth/access_token');
    expect(service.calls('/oauth/access_token')).toHaveLength(1);
    expect(token!.headers['x-insight-biz-name']).toBe('biz-1');
    expect(token!.headers['x-insight-biz-secret']).toBe('secret-1');
    const infos = service.calls('/openapi/backtrack/get_task_info');
    expect(infos).toHaveLength(12);
    for (const request of infos) {
      expect(request.headers['x-insight-access-token']).toBe('t1');
      expect(request.headers['x-insight-biz-name']).toBe('biz-1');
      expect(request.query.get('task_id')).toBe('7');
    }
  });

  it('re-authenticates once, with a single token request, when concurrent calls answer [40001]', async () => {
    const service = mockService(
      withTokens((request) =>
        request.headers['x-insight-access-token'] === 't1' ? fail(401, '[40001]unauthorized') : ok(TASK_INFO),
      ),
    );
    const insight = client(service.agent);
    await insight.backtrack.info(1);
    const infos = await Promise.all(Array.from({ length: 8 }, () => insight.backtrack.info(1)));
    expect(infos.every((info) => info.task_status === 'running')).toBe(true);
    expect(service.calls('/oauth/access_token')).toHaveLength(2);
  });

  it('fails with the [40001] error when the renewed token is refused too', async () => {
    const service = mockService(withTokens(() => fail(401, '[40001]unauthorized')));
    const failure = client(service.agent).backtrack.info(1);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ code: 40001, status: 401 });
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(2);
  });

  it('never renews a caller-supplied token', async () => {
    const service = mockService(() => fail(401, '[40001]unauthorized'));
    const insight = client(service.agent, { bizSecret: undefined, accessToken: 'fixed' });
    await expect(insight.backtrack.info(1)).rejects.toMatchObject({ code: 40001 });
    expect(service.calls('/oauth/access_token')).toHaveLength(0);
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(1);
  });

  it('reports a bad secret as [40003] without retrying', async () => {
    const service = mockService(() => fail(401, '[40003]invalid auth info'));
    await expect(client(service.agent).backtrack.info(1)).rejects.toMatchObject({ code: 40003, retryable: false });
    expect(service.seen).toHaveLength(1);
  });
});

describe('InsightClient errors and retries', () => {
  it.each([
    [403, '[40006]reached qps limit'],
    [400, '[40008]disconnected'],
    [500, '[10002]internal error'],
  ])('retries HTTP %i %s and succeeds', async (status, message) => {
    let failed = false;
    const service = mockService(
      withTokens(() => {
        if (failed) return ok(TASK_INFO);
        failed = true;
        return fail(status, message);
      }),
    );
    expect((await client(service.agent).backtrack.info(3)).task_cur_max_offset).toBe(3);
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(2);
  });

  it('retries a 5xx without a readable body', async () => {
    let failed = false;
    const service = mockService(
      withTokens(() => {
        if (failed) return ok(TASK_INFO);
        failed = true;
        return { status: 502, json: 'bad gateway' };
      }),
    );
    await client(service.agent).backtrack.info(3);
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(2);
  });

  it('never retries [40004] and maps it to an ApiError with code, status, message and retryability', async () => {
    const service = mockService(withTokens(() => fail(400, '[40004]invalid param: start_time: out of range')));
    const error = await client(service.agent)
      .backtrack.info(3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 40004, status: 400, retryable: false, errorClass: 'permanent' });
    expect((error as ApiError).message).toContain('[40004]invalid param: start_time');
    expect((error as ApiError).serviceMessage).toBe('[40004]invalid param: start_time: out of range');
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(1);
  });

  it('gives up after maxRetries and reports the last error', async () => {
    const service = mockService(withTokens(() => fail(403, '[40006]reached qps limit')));
    await expect(client(service.agent, { maxRetries: 3 }).backtrack.info(3)).rejects.toMatchObject({
      code: 40006,
      retryable: true,
      errorClass: 'throttling',
    });
    expect(service.calls('/openapi/backtrack/get_task_info')).toHaveLength(4);
  });

  it('does not replay task creation after a 5xx, which may have created the task', async () => {
    const service = mockService(withTokens(() => fail(500, '[10000]internal error')));
    const create = client(service.agent).backtrack.create({
      rule: ['in', 'cat', { f: 'title' }],
      start_time: '2026-01-01 00:00:00',
      end_time: '2026-01-02 00:00:00',
      limit: 10,
    });
    await expect(create).rejects.toMatchObject({ code: 10000 });
    expect(service.calls('/openapi/backtrack/create_task')).toHaveLength(1);
  });

  it('refuses an answer whose data does not match the schema', async () => {
    const service = mockService(withTokens(() => ok({ ...TASK_INFO, task_status: 'paused' })));
    const failure = client(service.agent).backtrack.info(3);
    await expect(failure).rejects.toBeInstanceOf(ResponseValidationError);
    await expect(failure).rejects.toThrow('data.task_status');
  });
});

describe('InsightClient requests', () => {
  it('sends GET calls with a JSON body and formats Date times in UTC+8', async () => {
    const service = mockService(withTokens(() => ok({ count: 42 })));
    const preview = await client(service.agent).backtrack.preview({
      rule: ['in', 'cat', { f: 'title' }],
      start_time: new Date('2026-01-01T00:00:00Z'),
      end_time: '2026-01-02 08:00:00',
    });
    expect(preview.count).toBe(42);
    const [request] = service.calls('/openapi/backtrack/preview_task');
    expect(request!.method).toBe('GET');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      rule: ['in', 'cat', { f: 'title' }],
      start_time: '2026-01-01 08:00:00',
      end_time: '2026-01-02 08:00:00',
    });
  });

  it('refuses an invalid request before sending, naming each path and rule', async () => {
    const service = mockService(withTokens(() => ok({ task_id: 1 })));
    const failure = client(service.agent).backtrack.create({
      rule: ['and', ['in', 'cat', { f: 'titel' }]],
      start_time: '2026-01-02 00:00:00',
      end_time: '2026-01-01 00:00:00',
      limit: 0,
    });
    await expect(failure).rejects.toBeInstanceOf(RequestValidationError);
    const { issues } = (await failure.catch((e: unknown) => e)) as RequestValidationError;
    expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['limit', 'end_time']));
    expect(service.seen).toHaveLength(0);
    const ruleFailure = client(service.agent).backtrack.create({
      rule: ['and', ['in', 'cat', { f: 'titel' }]],
      start_time: '2026-01-01 00:00:00',
      end_time: '2026-01-02 00:00:00',
      limit: 5,
    });
    await expect(ruleFailure).rejects.toThrow('rule[1][2].f');
    expect(service.seen).toHaveLength(0);
  });

  /** A search service answering `pages(page)` for each page, and the post ids a search of pages of 2 yields. */
  async function searchPages(pages: (page: number) => { ids: string[]; count: number }) {
    const service = mockService(
      withTokens((request) => {
        const { page_number: page } = request.body as { page_number: number };
        const { ids, count } = pages(page);
        const items = ids.map((id) => ({
          post_id: id,
          origin_id: 'o',
          status: 1,
          publish_time: '2026-01-01 00:00:00',
        }));
        return ok({ items, snapshot_id: 'snap-1', count });
      }),
    );
    const ids: string[] = [];
    for await (const item of client(service.agent).search({
      rule: ['in', 'cat', { f: 'title' }],
      start_time: '2026-01-01 00:00:00',
      end_time: '2026-01-02 00:00:00',
      page_size: 2,
    })) {
      ids.push(item.post_id);
    }
    const bodies = service.calls('/openapi/item/search').map((r) => r.body as Record<string, unknown>);
    return { ids, pages: bodies.map((b) => [b.page_number, b.snapshot_id]) };
  }

  it('searches page after page through the snapshot id', async () => {
    const result = await searchPages((page) => ({
      ids: page < 3 ? [`p${page * 2}`, `p${page * 2 + 1}`] : ['p99'],
      count: 5,
    }));
    expect(result.ids).toEqual(['p2', 'p3', 'p4', 'p5', 'p99']);
    expect(result.pages).toEqual([
      [1, undefined],
      [2, 'snap-1'],
      [3, 'snap-1'],
    ]);
  });

  it('stops searching at the page that reaches the count, without asking for an empty one', async () => {
    const result = await searchPages((page) => ({ ids: page <= 2 ? [`p${page}-0`, `p${page}-1`] : [], count: 4 }));
    expect(result.ids).toEqual(['p1-0', 'p1-1', 'p2-0', 'p2-1']);
    expect(result.pages).toHaveLength(2);
  });
});

describe('InsightClient pacing', () => {
  it('keeps each endpoint under its documented QPS by queueing, not failing', async () => {
    const service = mockService(withTokens(() => ok({ hit_words: [], invalid_words: [] })));
    const insight = client(service.agent);
    await Promise.all(Array.from({ length: 12 }, () => insight.checkSensitiveWords(['cat'])));
    const times = service.calls('/openapi/biz_sub/sensitive_words_check').map((r) => r.at);
    expect(times).toHaveLength(12);
    // Documented limit 10/s: no one-second window may hold more than 10 calls.
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(10);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1000);
  });

  it('can be turned off', async () => {
    const service = mockService(withTokens(() => ok({ hit_words: [], invalid_words: [] })));
    const insight = client(service.agent, { pacing: false });
    const started = performance.now();
    await Promise.all(Array.from({ length: 12 }, () => insight.checkSensitiveWords(['cat'])));
    // Paced, the 11th call would wait a whole second for the window to move.
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('rejects an override for an unknown endpoint', () => {
    const service = mockService(() => ok({}));
    expect(() => client(service.agent, { pacing: { nope: { limit: 1, windowMs: 1000 } } as never })).toThrow(
      'pacing.nope',
    );
  });
});

describe('InsightClient stream settings', () => {
  const base = { bizName: 'biz-1', accessToken: 'token', baseUrl: BASE };

  it.each([
    [
      { heartbeatTimeoutMs: Number.POSITIVE_INFINITY },
      'createInsightClient: streams.heartbeatTimeoutMs must be an integer from 1 to 2147483647 (ms), got Infinity',
    ],
    [{ heartbeatTimeoutMs: 0 }, 'streams.heartbeatTimeoutMs must be an integer from 1'],
    [{ reconnect: { baseDelayMs: Number.NaN } }, 'streams.reconnect.baseDelayMs must be a finite number from 0'],
    [{ reconnect: { maxDelayMs: 2 ** 31 } }, 'streams.reconnect.maxDelayMs must be a finite number from 0'],
    [{ reconnect: { maxAttempts: -1 } }, 'streams.reconnect.maxAttempts must be a non-negative integer, got -1'],
    [{ reconnect: 5 }, 'streams.reconnect must be an object'],
  ])('refuses %o when the client is created', (streams, message) => {
    expect(() => createInsightClient({ ...base, streams: streams as never })).toThrow(TypeError);
    expect(() => createInsightClient({ ...base, streams: streams as never })).toThrow(message);
  });

  it('refuses invalid settings of one stream or consumer before connecting', async () => {
    const service = mockService(() => ok(TASK_INFO));
    const insight = client(service.agent, { accessToken: 'token', bizSecret: undefined });
    expect(() => insight.stream.backtrack({ taskId: 1, heartbeatTimeoutMs: Number.NaN })).toThrow(
      RequestValidationError,
    );
    expect(() => insight.stream.realtime({ reconnect: { maxAttempts: 1.5 } })).toThrow(
      'reconnect.maxAttempts must be a non-negative integer, got 1.5',
    );
    const consumer = insight.consumeBacktrack(1, { onDelivery: () => {}, reconnect: { maxDelayMs: -1 } });
    await expect(consumer).rejects.toBeInstanceOf(RequestValidationError);
    await expect(consumer).rejects.toMatchObject({ issues: [{ path: 'reconnect.maxDelayMs' }] });
    expect(service.seen).toHaveLength(0);
  });
});
