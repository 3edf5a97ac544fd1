import {
  CallbackRequest,
  CallbackResponse,
  encodeMessage,
  PredictRequest,
  PredictResponse,
  WriteResponse,
} from '@insight/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATE_LIST_LIMIT } from '../src/byteair/repository.js';
import { createManualClock, type MockServer } from '../src/index.js';
import { AKSK_TENANT, byteAirState, callByteAir, startByteAir } from './support/byteair.js';

let server: MockServer;
let nextId = 0;
const freshId = (prefix: string) => `${prefix}-${++nextId}`;

beforeAll(async () => {
  server = await startByteAir();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function predict(
  app: string,
  uid: string,
  size: number,
  extra: { filterItems?: { id: string }[]; candidateItems?: { id: string }[] } = {},
) {
  const message = PredictRequest.fromPartial({ user: { uid }, size, ...extra });
  const response = await callByteAir(server.url, {
    path: `/predict/api/${app}/home`,
    body: encodeMessage(PredictRequest, message),
    requestId: freshId('predict'),
  });
  expect(response.status).toBe(200);
  return PredictResponse.decode(response.body);
}

interface CallbackInput {
  uid?: string;
  scene?: string;
  predictRequestId?: string;
  items?: { id?: string; pos?: string; extra?: string }[];
  context?: { spm?: string };
}

async function callback(app: string, message: CallbackInput, options: { requestId?: string; spmRoute?: boolean } = {}) {
  const response = await callByteAir(server.url, {
    path: `/predict/api/${app}/callback`,
    body: encodeMessage(CallbackRequest, CallbackRequest.fromPartial(message)),
    requestId: options.requestId ?? freshId('callback'),
    headers: options.spmRoute ? { 'enable-spm-route': 'true' } : {},
  });
  return { status: response.status, message: CallbackResponse.decode(response.body) };
}

const state = () => byteAirState<ByteAirState>(server);

interface ByteAirState {
  items: Record<string, number>;
  shown: Record<string, Record<string, string[]>>;
  callbacks: {
    seq: number;
    requestId: string;
    predictRequestId: string | null;
    unknownPredictRequest: boolean;
    duplicateCallback: boolean;
  }[];
  flags: {
    unknownPredictRequests: { predictRequestId: string }[];
    duplicateCallbacks: { predictRequestId: string }[];
    totals: { unknownPredictRequests: number; duplicateCallbacks: number };
  };
  writes: {
    tenantId: string;
    app: string;
    topic: string;
    contentDate: string | null;
    contentEnd: boolean | null;
    rows: number;
    refused: number;
  }[];
  done: { app: string; topic: string; body: string | null }[];
}

const ids = (response: PredictResponse) => response.value?.items.map((item) => item.id) ?? [];

describe('predict', () => {
  it('ranks the pool in a stable order per user, with ranks 1..n and a fresh request_id each call', async () => {
    const first = await predict('app', 'alice', 5);
    const again = await predict('app', 'alice', 5);
    const bob = await predict('app', 'bob', 5);
    expect(ids(first)).toHaveLength(5);
    expect(ids(again)).toEqual(ids(first));
    expect(ids(bob)).not.toEqual(ids(first));
    expect(first.value?.items.map((item) => item.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(first.requestId).not.toBe(again.requestId);
    expect(first.value?.totalCount).toBe(30);
  });

  it('leaves out what a callback reported shown (kept or inserted), but not what it reported filtered', async () => {
    const first = await predict('app', 'alice', 5);
    const [a, b, c, d, e] = ids(first) as [string, string, string, string, string];
    const answer = await callback('app', {
      uid: 'alice',
      scene: 'home',
      predictRequestId: first.requestId,
      items: [
        { id: a, pos: '1', extra: '{"reason":"kept"}' },
        { id: 'forced', pos: '2', extra: '{"reason":"inserted"}' },
        { id: b, pos: '3', extra: '{"reason":"filtered"}' },
        { id: c, pos: '4' },
        // The vendor's own example writes the reason this way.
        { id: e, pos: '0', extra: '{"reason":"filter"}' },
      ],
    });
    expect(answer).toEqual({ status: 200, message: { code: 0, message: 'OK', success: true } });

    const next = await predict('app', 'alice', 30);
    expect(ids(next)).not.toContain(a);
    expect(ids(next)).not.toContain(c);
    expect(ids(next)).toContain(b);
    expect(ids(next)).toContain(d);
    expect(ids(next)).toContain(e);
    expect(next.value?.totalCount).toBe(28);
    expect((await state()).shown.app?.alice?.sort()).toEqual([a, c, 'forced'].sort());
    // Another user is not affected.
    expect(ids(await predict('app', 'bob', 30))).toContain(a);
  });

  it('ranks written items, candidate items, and leaves out filterItems', async () => {
    const rows = [{ id: 'x1', title: 'one' }, { item_id: 'x2' }, { id: 3 }];
    const written = await callByteAir(server.url, {
      path: '/data/api/shop/item?method=write',
      body: Buffer.from(JSON.stringify(rows)),
      contentType: 'application/json',
      requestId: freshId('write'),
    });
    expect(WriteResponse.decode(written.body)).toEqual({
      status: { code: 0, message: 'OK', success: true },
      errors: [],
    });
    expect(ids(await predict('shop', 'u', 10)).sort()).toEqual(['3', 'x1', 'x2']);
    expect(ids(await predict('shop', 'u', 10, { filterItems: [{ id: 'x1' }] })).sort()).toEqual(['3', 'x2']);
    const candidates = await predict('shop', 'u', 10, { candidateItems: [{ id: 'c1' }, { id: 'c2' }] });
    expect(ids(candidates).sort()).toEqual(['c1', 'c2']);
  });

  it('answers code 400 naming user.uid when it is missing, and a bad size', async () => {
    for (const [message, pattern] of [
      [PredictRequest.fromPartial({ size: 3 }), /user\.uid/],
      [PredictRequest.fromPartial({ user: { uid: 'u' }, size: -1 }), /size/],
    ] as const) {
      const response = await callByteAir(server.url, {
        path: '/predict/api/app/home',
        body: encodeMessage(PredictRequest, message),
      });
      expect(response.status).toBe(200);
      const decoded = PredictResponse.decode(response.body);
      expect(decoded).toMatchObject({ code: 400, success: false });
      expect(decoded.message).toMatch(pattern);
    }
  });
});

describe('callback', () => {
  it('answers 409 to a repeated Request-Id and applies the callback once', async () => {
    const first = await predict('app', 'carol', 2);
    const message = {
      uid: 'carol',
      scene: 'home',
      predictRequestId: first.requestId,
      items: [{ id: ids(first)[0] as string, pos: '1' }],
    };
    expect((await callback('app', message, { requestId: 'same-id' })).message.code).toBe(0);
    const replay = await callback('app', message, { requestId: 'same-id' });
    expect(replay.status).toBe(200);
    expect(replay.message).toMatchObject({ code: 409, success: false });
    expect(replay.message.message).toMatch(/same-id/);
    const { callbacks } = await state();
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({
      requestId: 'same-id',
      duplicateCallback: false,
      unknownPredictRequest: false,
    });
  });

  it('flags an unknown predict_request_id and a second callback for one predict call', async () => {
    const first = await predict('app', 'dave', 2);
    const items = [{ id: ids(first)[0] as string, pos: '1' }];
    await callback('app', { uid: 'dave', scene: 'home', predictRequestId: 'never-issued', items });
    await callback('app', { uid: 'dave', scene: 'home', predictRequestId: first.requestId, items });
    const second = await callback('app', { uid: 'dave', scene: 'home', predictRequestId: first.requestId, items });
    expect(second.message.code).toBe(0);
    const { flags, callbacks } = await state();
    expect(callbacks.map((c) => [c.unknownPredictRequest, c.duplicateCallback])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    expect(flags.unknownPredictRequests.map((f) => f.predictRequestId)).toEqual(['never-issued']);
    expect(flags.duplicateCallbacks.map((f) => f.predictRequestId)).toEqual([first.requestId]);
    expect(flags.totals).toEqual({ unknownPredictRequests: 1, duplicateCallbacks: 1 });
  });

  it('lists the most recent predicts by arrival under a manual clock, and counts flags beyond the listed callbacks', async () => {
    const local = await startByteAir({ clock: createManualClock(Date.now()) });
    try {
      const send = (path: string, body: Uint8Array) => callByteAir(local.url, { path, body });
      for (let i = 0; i < STATE_LIST_LIMIT + 5; i++) {
        await send(
          '/predict/api/app/home',
          encodeMessage(PredictRequest, PredictRequest.fromPartial({ user: { uid: `u${i}` } })),
        );
      }
      const flagged = CallbackRequest.fromPartial({
        uid: 'x',
        scene: 's',
        predictRequestId: 'never-issued',
        items: [{ id: '1' }],
      });
      await send('/predict/api/app/callback', encodeMessage(CallbackRequest, flagged));
      // A thousand later callbacks with no predict call to find (flagged too) push the first one out of the lists;
      // the flag totals still count it.
      const plain = CallbackRequest.fromPartial({ uid: 'x', scene: 's', items: [{ id: '2' }] });
      for (let i = 0; i < STATE_LIST_LIMIT; i++)
        await send('/predict/api/app/callback', encodeMessage(CallbackRequest, plain));
      const listed = await byteAirState<{
        predicts: { uid: string }[];
        callbacks: unknown[];
        flags: ByteAirState['flags'];
      }>(local);
      expect(listed.predicts).toHaveLength(STATE_LIST_LIMIT);
      expect(listed.predicts.at(0)?.uid).toBe('u5');
      expect(listed.predicts.at(-1)?.uid).toBe(`u${STATE_LIST_LIMIT + 4}`);
      expect(listed.callbacks).toHaveLength(STATE_LIST_LIMIT);
      expect(listed.flags.unknownPredictRequests).toHaveLength(STATE_LIST_LIMIT);
      expect(listed.flags.unknownPredictRequests.map((f) => f.predictRequestId)).not.toContain('never-issued');
      expect(listed.flags.totals.unknownPredictRequests).toBe(STATE_LIST_LIMIT + 1);
    } finally {
      await local.close();
    }
  }, 60_000);

  it('lists every item shown to a user, however many one callback reported', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ id: `item-${i}` }));
    expect((await callback('app', { uid: 'erin', scene: 'home', items })).message.code).toBe(0);
    const shown = (await state()).shown.app?.erin ?? [];
    expect(shown).toHaveLength(20_000);
    expect(new Set(shown)).toEqual(new Set(items.map((item) => item.id)));
  });

  it('finds the predict call through the Request-Id header when predict_request_id is missing', async () => {
    const response = await callByteAir(server.url, {
      path: '/predict/api/app/home',
      body: encodeMessage(PredictRequest, PredictRequest.fromPartial({ user: { uid: 'erin' }, size: 1 })),
      requestId: 'shared-request-id',
    });
    const predicted = PredictResponse.decode(response.body);
    await callback(
      'app',
      { uid: 'erin', scene: 'home', items: [{ id: ids(predicted)[0] as string }] },
      { requestId: 'shared-request-id' },
    );
    expect((await state()).callbacks[0]).toMatchObject({
      predictRequestId: predicted.requestId,
      unknownPredictRequest: false,
    });
  });

  it.each<[CallbackInput, RegExp]>([
    [{ scene: 'home', items: [{ id: '1' }] }, /^uid is required/],
    [{ uid: 'u', items: [{ id: '1' }] }, /^scene is required/],
    [{ uid: 'u', scene: 'home', items: [] }, /^items must not be empty/],
    [{ uid: 'u', scene: 'home', items: [{ id: '1' }, { pos: '2' }] }, /^items\[1\]\.id is required/],
    [{ uid: 'u', scene: 'home', items: [{ id: '1', extra: 'kept' }] }, /^items\[0\]\.extra: must be JSON text/],
    [{ uid: 'u', scene: 'home', items: [{ id: '1', extra: '{"reason":"kept"' }] }, /^items\[0\]\.extra: must be JSON/],
  ])('answers code 400 naming the field for %j', async (message, pattern) => {
    const answer = await callback('app', message);
    expect(answer.status).toBe(200);
    expect(answer.message).toMatchObject({ code: 400, success: false });
    expect(answer.message.message).toMatch(pattern);
    expect((await state()).callbacks).toHaveLength(0);
  });

  it('requires context.spm when Enable-Spm-Route is true', async () => {
    const message = { uid: 'u', scene: 'home', items: [{ id: '1' }] };
    const refused = await callback('app', message, { spmRoute: true });
    expect(refused.message).toMatchObject({ code: 400 });
    expect(refused.message.message).toMatch(/context\.spm/);
    const accepted = await callback('app', { ...message, context: { spm: 'A$##$B$##$C' } }, { spmRoute: true });
    expect(accepted.message.code).toBe(0);
  });

  it('accepts AK/SK-signed calls of a tenant configured for AK/SK', async () => {
    const response = await callByteAir(server.url, {
      path: '/predict/api/app/callback',
      body: encodeMessage(CallbackRequest, CallbackRequest.fromPartial({ uid: 'u', scene: 's', items: [{ id: '1' }] })),
      credentials: AKSK_TENANT,
      requestId: freshId('ak'),
    });
    expect(response.status).toBe(200);
    expect(CallbackResponse.decode(response.body).code).toBe(0);
  });
});

describe('data write and done', () => {
  it('reports refused rows one by one and applies the others', async () => {
    const rows = [{ id: 'good' }, 'text', { title: 'no id' }, { id: '' }, { id: 'also-good' }];
    const response = await callByteAir(server.url, {
      path: '/data/api/shop/item?method=write',
      body: Buffer.from(JSON.stringify(rows)),
      contentType: 'application/json',
    });
    const decoded = WriteResponse.decode(response.body);
    expect(decoded.status).toMatchObject({ code: 400, success: false });
    expect(decoded.errors.map((e) => e.message.slice(0, 4))).toEqual(['[1]:', '[2]:', '[3]:']);
    expect(decoded.errors[1]?.data).toBe('{"title":"no id"}');
    expect((await state()).items).toEqual({ shop: 2 });
  });

  it('reports a row nested too deeply to store as a refused row, not a server error', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const response = await callByteAir(server.url, {
      path: '/data/api/shop/item?method=write',
      body: Buffer.from(`[{"id":"fine"},{"id":"deep","a":${deep}},${deep}]`),
      contentType: 'application/json',
    });
    expect(response.status).toBe(200);
    const decoded = WriteResponse.decode(response.body);
    expect(decoded.status).toMatchObject({ code: 400, message: '2 of 3 rows were refused; see errors' });
    expect(decoded.errors.map((e) => e.message)).toEqual([
      '[1]: a row nested too deeply to store',
      '[2]: a row nested too deeply to store',
    ]);
    expect((await state()).items).toEqual({ shop: 1 });
  });

  it('refuses more than 10000 rows, a non-array body, and a missing method=write', async () => {
    const cases = [
      [
        '/data/api/shop/item?method=write',
        JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ id: i }))),
        /at most 10000/,
      ],
      ['/data/api/shop/item?method=write', '{"id":1}', /JSON array/],
      ['/data/api/shop/item?method=write', '[{"id":1}', /not valid JSON/],
      ['/data/api/shop/item', '[]', /method must be "write"/],
    ] as const;
    for (const [path, body, pattern] of cases) {
      const response = await callByteAir(server.url, {
        path,
        body: Buffer.from(body),
        contentType: 'application/json',
      });
      const decoded = WriteResponse.decode(response.body);
      expect(decoded.status?.code).toBe(400);
      expect(decoded.status?.message).toMatch(pattern);
    }
    expect((await state()).items).toEqual({});
  });

  it("logs each write with its Content-Date and Content-End, so that a day's closing batch can be checked", async () => {
    const write = (rows: unknown[], headers: Record<string, string>) =>
      callByteAir(server.url, {
        path: '/data/api/shop/user?method=write',
        body: Buffer.from(JSON.stringify(rows)),
        contentType: 'application/json',
        headers,
        credentials: AKSK_TENANT,
      });
    await write([{ uid: 'a' }, { uid: 'b' }], { 'Content-Date': '2026-11-22', 'Content-End': 'False' });
    await write([{ uid: 'c' }, 'bad'], { 'Content-Date': '2026-11-22', 'Content-End': 'true' });
    await write([{ uid: 'd' }], {});
    expect((await state()).writes).toEqual([
      expect.objectContaining({ tenantId: AKSK_TENANT.tenantId, app: 'shop', topic: 'user', rows: 2, refused: 0 }),
      expect.objectContaining({ contentDate: '2026-11-22', contentEnd: true, rows: 2, refused: 1 }),
      expect.objectContaining({ contentDate: null, contentEnd: null, rows: 1, refused: 0 }),
    ]);
    expect((await state()).writes[0]).toMatchObject({ contentDate: '2026-11-22', contentEnd: false });
  });

  it('refuses a whole write whose Content-Date or Content-End is malformed, naming the header', async () => {
    const cases = [
      [{ 'Content-Date': '2026-02-30' }, /Content-Date must be a YYYY-MM-DD day; got "2026-02-30"/],
      [{ 'Content-Date': '20261123' }, /Content-Date must be a YYYY-MM-DD day/],
      [{ 'Content-End': 'yes' }, /Content-End must be True or False; got "yes"/],
    ] as const;
    for (const [headers, pattern] of cases) {
      const response = await callByteAir(server.url, {
        path: '/data/api/shop/item?method=write',
        body: Buffer.from('[{"id":"x"}]'),
        contentType: 'application/json',
        headers,
      });
      expect(WriteResponse.decode(response.body).status).toMatchObject({ code: 400, success: false });
      expect(WriteResponse.decode(response.body).status?.message).toMatch(pattern);
    }
    const after = await state();
    expect(after.items).toEqual({});
    expect(after.writes).toEqual([]);
  });

  it('refuses a done body that does not name real days, naming the entry', async () => {
    const cases = [
      ['{"partition_date":"20261123"}', /^body: must be a non-empty JSON array/],
      ['[]', /^body: must be a non-empty JSON array/],
      ['[{"partition_date":"2026-11-23"}]', /^body\[0\]\.partition_date: must be a YYYYMMDD day, got "2026-11-23"$/],
      ['[{"partition_date":"20261123"},{"partition_date":"20260230"}]', /^body\[1\]\.partition_date/],
      ['[{"partition_date":', /not valid JSON/],
    ] as const;
    for (const [body, pattern] of cases) {
      const response = await callByteAir(server.url, {
        path: '/data/api/shop/done?topic=item',
        body: Buffer.from(body),
        contentType: 'application/json',
      });
      expect(WriteResponse.decode(response.body).status?.code).toBe(400);
      expect(WriteResponse.decode(response.body).status?.message).toMatch(pattern);
    }
    expect((await state()).done).toEqual([]);
  });

  it('records done calls and answers 409 to a repeated Request-Id', async () => {
    const call = {
      path: '/data/api/shop/done?topic=item',
      body: Buffer.from('[{"partition_date":"20260101"}]'),
      contentType: 'application/json',
      requestId: 'done-1',
    };
    expect(WriteResponse.decode((await callByteAir(server.url, call)).body).status?.code).toBe(0);
    expect(WriteResponse.decode((await callByteAir(server.url, call)).body).status?.code).toBe(409);
    const missingTopic = await callByteAir(server.url, { ...call, path: '/data/api/shop/done', requestId: 'done-2' });
    expect(WriteResponse.decode(missingTopic.body).status?.message).toMatch(/topic/);
  });

  it('answers ping without authentication', async () => {
    const response = await fetch(`${server.url}/predict/api/ping`);
    expect(response.status).toBe(200);
  });
});
