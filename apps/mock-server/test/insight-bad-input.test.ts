import { INSIGHT_ENDPOINTS, INSIGHT_ERRORS, parseInsightMessage } from '@insight/protocol';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, type Harness, startInsight } from './support/insight.js';

let h: Harness;
beforeAll(async () => {
  h = await startInsight({ corpus: { size: 200 } });
});
afterAll(() => h.close());

const ENDPOINTS = Object.values(INSIGHT_ENDPOINTS);
/** The keys the endpoints read, so that random bodies and queries reach past the first check now and then. */
const KEYS = [
  'rule',
  'start_time',
  'end_time',
  'de_duplicate',
  'limit',
  'task_id',
  'enable_status',
  'sync_mode',
  'words',
  'snapshot_id',
  'page_number',
  'page_size',
  'fl',
  'collector',
  'start_offset',
  'sync_only',
  'post_id',
];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 }));
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('2025-06-01 12:00:00', '2025-02-30 00:00:00', ['in', 'coffee', { f: 'title' }], -1, 2 ** 53, 1e308),
);
const body = fc.oneof(
  fc.dictionary(key, value, { maxKeys: 6 }).map((object) => JSON.stringify(object)),
  fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)),
  fc.string({ maxLength: 40 }),
);
const query = fc.dictionary(key, fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String)), { maxKeys: 4 });

/** Sends a request and reads its answer; a stream that opens is closed at once (its status is what counts). */
async function send(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  rawBody: string | undefined,
): Promise<{ http: number; type: string; text: string }> {
  const response = await request(`${h.server.url}${path}`, {
    method,
    headers: rawBody === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: rawBody,
  });
  const type = String(response.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) {
    response.body.destroy();
    return { http: response.statusCode, type, text: '' };
  }
  return { http: response.statusCode, type, text: await response.body.text() };
}

/** Checks that an answer is a success or one of the documented errors, with the status that error documents. */
function expectDocumented(answer: { http: number; type: string; text: string }, what: string): void {
  if (answer.type.startsWith('text/event-stream')) {
    expect(answer.http, what).toBe(200);
    return;
  }
  const envelope = JSON.parse(answer.text) as { status: number; message: string };
  if (envelope.status === 0) {
    expect(answer.http, what).toBe(200);
    return;
  }
  const code = envelope.status as keyof typeof INSIGHT_ERRORS;
  expect(INSIGHT_ERRORS[code], `${what}: undocumented code ${envelope.status}`).toBeDefined();
  expect(code, `${what}: ${envelope.message}`).not.toBe(10000);
  expect(answer.http, what).toBe(INSIGHT_ERRORS[code].httpStatus);
  expect(parseInsightMessage(envelope.message)?.code, what).toBe(code);
}

describe('input the Content Insight emulator must refuse cleanly', () => {
  it('answers random bodies and queries on every endpoint with a documented code, never an internal error', async () => {
    const token = await h.token();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        body,
        query,
        fc.boolean(),
        async (endpoint, raw, params, withBody) => {
          const qs = new URLSearchParams(params).toString();
          const path = `${endpoint.path}${qs === '' ? '' : `?${qs}`}`;
          const headers: Record<string, string> =
            endpoint.path === INSIGHT_ENDPOINTS.accessToken.path
              ? { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Biz-Secret': 'wrong' }
              : { 'X-Insight-Biz-Name': BIZ, 'X-Insight-Access-Token': token };
          const answer = await send(endpoint.method, path, headers, withBody ? raw : undefined);
          expectDocumented(answer, `${endpoint.method} ${path} ${withBody ? raw : ''}`);
        },
      ),
      // FUZZ_RUNS=20000 for a longer search.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
    expect((await h.call('GET', '/_insight/health')).http).toBe(200);
  }, 120_000);

  it('answers random credentials with an auth error on every endpoint', async () => {
    const header = fc.string({ maxLength: 30 }).filter((text) => /^[\x21-\x7e]*$/.test(text));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), header, header, async (endpoint, name, secret) => {
        const headers: Record<string, string> =
          endpoint.path === INSIGHT_ENDPOINTS.accessToken.path
            ? { 'X-Insight-Biz-Name': name, 'X-Insight-Biz-Secret': secret }
            : { 'X-Insight-Biz-Name': name, 'X-Insight-Access-Token': secret };
        const answer = await send(endpoint.method, endpoint.path, headers, undefined);
        const what = `${endpoint.path} ${name}/${secret}`;
        expectDocumented(answer, what);
        const { status } = JSON.parse(answer.text) as { status: number };
        expect([40001, 40003], what).toContain(status);
      }),
      { numRuns: 200 },
    );
  });

  it('answers a fault rule with the status it asks for, and the documented code it names', async () => {
    h.server.faults.add({ route: 'GET /openapi/biz_sub/get_task_rules', status: 503, code: 10001, times: 1 });
    const answer = await h.call('GET', '/openapi/biz_sub/get_task_rules');
    expect(answer.http).toBe(503);
    expect(answer.body.status).toBe(10001);
    expect(answer.body.message).toMatch(/^\[10001\]internal error/);
  });

  it('refuses a seed whose corpus spans more days than a year, naming the field', async () => {
    const answer = await h.call('POST', '/_insight/seed', {
      body: { module: 'insight', corpus: { size: 10, days: 1e6 } },
    });
    expect(answer.http).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('corpus.days must be > 0 and ≤ 365');
  });
});
