import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CallbackRequest, CallbackResponse, encodeMessage } from '@insight/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createMockServer,
  EMULATOR_VERSION,
  EmulatorError,
  type EmulatorModule,
  jsonReply,
  type MockServer,
  type RequestRecord,
  streamReply,
} from '../src/index.js';
import { AIR_TENANT, callByteAir, QUIET_INSIGHT } from './support/byteair.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let endlessStopped: Promise<number> | undefined;

/** A module with routes that misbehave on purpose, to check that the server survives them. */
const probe: EmulatorModule = {
  name: 'probe',
  migrations: [{ id: '001', up: 'CREATE TABLE probe_hits (n INTEGER)' }],
  renderError: (error) => jsonReply({ probeError: error.message, code: error.code }, error.status),
  register(router, ctx) {
    router.get('/probe/throw', () => {
      throw new TypeError('boom');
    });
    router.get('/probe/teapot', () => {
      throw new EmulatorError(418, 'short and stout', { code: 4180 });
    });
    router.post('/probe/hit', () => {
      ctx.store.prepare('INSERT INTO probe_hits (n) VALUES (1)').run();
      return jsonReply({ ok: true });
    });
    router.get('/probe/endless', () =>
      streamReply(
        (sink) => {
          endlessStopped = (async () => {
            let writes = 0;
            // Large chunks fill the socket buffer, so the producer has to wait for drains (backpressure).
            while (await sink.write(Buffer.alloc(64 * 1024, 120))) writes++;
            return writes;
          })();
          return endlessStopped.then(() => undefined);
        },
        { 'content-type': 'application/octet-stream' },
      ),
    );
    router.get('/probe/stream', () =>
      streamReply(
        async (sink) => {
          for (let i = 0; i < 3; i++) await sink.write(`data: ${i}\n\n`);
        },
        { 'content-type': 'text/event-stream' },
      ),
    );
  },
  reset: () => {},
};

let server: MockServer;
const hits = () => (server.store.prepare('SELECT COUNT(*) AS n FROM probe_hits').get() as { n: number }).n;

beforeAll(async () => {
  server = await createMockServer({
    insight: QUIET_INSIGHT,
    tenants: [AIR_TENANT],
    modules: [probe],
    requestLogSize: 50,
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.store.db.exec('DELETE FROM probe_hits');
});

async function json(path: string, init?: { method?: string; body?: unknown }) {
  const response = await fetch(`${server.url}${path}`, {
    method: init?.method ?? 'GET',
    ...(init?.body !== undefined && {
      body: JSON.stringify(init.body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const addFault = (rule: Record<string, unknown>) => json('/_insight/faults', { method: 'POST', body: rule });

describe('control plane', () => {
  it('reports health, with the version header on every answer', async () => {
    const { status, headers, body } = await json('/_insight/health');
    expect(status).toBe(200);
    expect(headers.get('x-insight-emulator-version')).toBe(EMULATOR_VERSION);
    expect(body).toMatchObject({ status: 'ok', version: EMULATOR_VERSION, modules: ['byteair', 'insight', 'probe'] });
    expect((await fetch(`${server.url}/nowhere`)).headers.get('x-insight-emulator-version')).toBe(EMULATOR_VERSION);
  });

  it('answers a clear 404 naming method and path, and 405 with Allow for a known path', async () => {
    const missing = await json('/nowhere/at/all', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { status: 404, code: 404, message: 'no route for DELETE /nowhere/at/all' } });
    const wrongMethod = await json('/predict/api/ping', { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it("answers a handler's exception with 500 in the module's format, and keeps serving", async () => {
    const crashed = await json('/probe/throw');
    expect(crashed).toMatchObject({ status: 500, body: { probeError: 'internal error: boom', code: 500 } });
    expect(await json('/probe/teapot')).toMatchObject({
      status: 418,
      body: { probeError: 'short and stout', code: 4180 },
    });
    expect((await json('/_insight/health')).status).toBe(200);
  });

  it('streams a reply to the end', async () => {
    const response = await fetch(`${server.url}/probe/stream`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');
  });

  it('stops a streaming producer when the client goes', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/probe/endless`, { signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    const writes = await endlessStopped;
    expect(writes).toBeGreaterThan(0);
    expect((await json('/_insight/health')).status).toBe(200);
  });

  it('dumps module state and filters it by module', async () => {
    const all = await json('/_insight/state');
    expect(Object.keys(all.body.modules as object)).toEqual(['byteair', 'insight', 'probe']);
    expect((all.body.modules as Record<string, unknown>).probe).toBeNull();
    expect(Object.keys((await json('/_insight/state?module=byteair')).body.modules as object)).toEqual(['byteair']);
    expect((await json('/_insight/state?module=nope')).status).toBe(404);
  });

  it('seeds a module and refuses an unknown or unseedable one', async () => {
    const seeded = await json('/_insight/seed', {
      method: 'POST',
      body: { module: 'byteair', app: 'shop', items: [{ id: 'a' }, { id: 'b', title: 'B' }] },
    });
    expect(seeded).toMatchObject({ status: 200, body: { module: 'byteair', result: { app: 'shop', items: 2 } } });
    const state = await json('/_insight/state?module=byteair');
    expect((state.body.modules as { byteair: { items: unknown } }).byteair.items).toEqual({ shop: 2 });
    expect((await json('/_insight/seed', { method: 'POST', body: { module: 'probe' } })).status).toBe(400);
    expect((await json('/_insight/seed', { method: 'POST', body: { module: 'ghost' } })).status).toBe(404);
    const invalid = await json('/_insight/seed', {
      method: 'POST',
      body: { module: 'byteair', app: 'shop', items: [{}] },
    });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toMatch(/items\.0\.id/);
  });

  it('logs requests with redacted credentials, filterable by path, method, status and limit', async () => {
    await fetch(`${server.url}/predict/api/ping`);
    await fetch(`${server.url}/nowhere`);
    const signed = await callByteAir(server.url, {
      path: '/predict/api/app/callback',
      body: encodeMessage(CallbackRequest, CallbackRequest.fromPartial({ uid: 'u', scene: 's', items: [{ id: '1' }] })),
      requestId: 'logged-request',
    });
    expect(signed.status).toBe(200);

    const list = async (query: string) => (await json(`/_insight/requests${query}`)).body.requests as RequestRecord[];
    const all = await list('');
    expect(all.map((r) => `${r.method} ${r.path} ${r.status} ${r.module}`)).toEqual([
      'GET /predict/api/ping 200 byteair',
      'GET /nowhere 404 none',
      'POST /predict/api/app/callback 200 byteair',
    ]);
    const callback = all[2] as RequestRecord;
    expect(callback.requestId).toBe('logged-request');
    expect(callback.headers['tenant-signature']).toBe('[REDACTED]');
    expect(callback.headers['tenant-id']).toBe(AIR_TENANT.tenantId);
    expect(callback.latencyMs).toBeGreaterThanOrEqual(0);

    expect((await list('?path=/predict/**')).map((r) => r.path)).toEqual([
      '/predict/api/ping',
      '/predict/api/app/callback',
    ]);
    expect((await list('?method=post')).map((r) => r.path)).toEqual(['/predict/api/app/callback']);
    expect((await list('?status=404')).map((r) => r.path)).toEqual(['/nowhere']);
    expect((await list('?path=/predict/**&limit=1')).map((r) => r.path)).toEqual(['/predict/api/app/callback']);
    expect((await json('/_insight/requests?limit=zero')).status).toBe(400);
  });

  it('keeps only the most recent requests', async () => {
    for (let i = 0; i < 60; i++) await (await request(`${server.url}/n/${i}`)).body.dump();
    const { requests } = (await json('/_insight/requests')).body as { requests: RequestRecord[] };
    expect(requests).toHaveLength(50);
    expect(requests.at(-1)?.path).toBe('/n/59');
    expect(requests[0]?.path).toBe('/n/10');
  });
});

describe('fault rules', () => {
  it('validates rules, lists them, deletes one and all', async () => {
    expect((await addFault({ route: '/x' })).status).toBe(400);
    expect((await addFault({ route: '/x', status: 500, dropConnection: true })).status).toBe(400);
    expect((await addFault({ route: '^(', status: 500 })).status).toBe(400);
    const bad = await addFault({ route: '/x', status: 500, probability: 2 });
    expect(JSON.stringify(bad.body)).toMatch(/probability/);

    const first = await addFault({ route: 'GET /probe/*', status: 503 });
    expect(first.status).toBe(201);
    await addFault({ route: '^POST ', latencyMs: 1 });
    const listed = (await json('/_insight/faults')).body.faults as { id: string }[];
    expect(listed.map((f) => f.id)).toHaveLength(2);
    expect((await json(`/_insight/faults/${listed[0]?.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await json(`/_insight/faults/${listed[0]?.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await json('/_insight/faults', { method: 'DELETE' })).body).toEqual({ removed: 1 });
    expect((await json('/_insight/faults')).body.faults).toEqual([]);
  });

  it('answers an injected status in the route format, `times` times, before the handler runs', async () => {
    await addFault({ route: 'POST /predict/api/*/callback', status: 429, message: 'slow down', times: 2 });
    const send = () =>
      callByteAir(server.url, {
        path: '/predict/api/app/callback',
        body: encodeMessage(
          CallbackRequest,
          CallbackRequest.fromPartial({ uid: 'u', scene: 's', items: [{ id: '1' }] }),
        ),
      });
    for (let i = 0; i < 2; i++) {
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(CallbackResponse.decode(refused.body)).toEqual({ code: 429, message: 'slow down', success: false });
    }
    expect((await send()).status).toBe(200);
    const state = await json('/_insight/state?module=byteair');
    expect((state.body.modules as { byteair: { callbacks: unknown[] } }).byteair.callbacks).toHaveLength(1);
    const faults = (await json('/_insight/faults')).body.faults as { hits: number }[];
    expect(faults[0]?.hits).toBe(2);
  });

  it('drops the connection before the handler (nothing applied) or after it (applied, answer lost)', async () => {
    const before = (await addFault({ route: 'POST /probe/hit', dropConnection: true, times: 1 })).body.fault as {
      id: string;
    };
    await expect(request(`${server.url}/probe/hit`, { method: 'POST' })).rejects.toThrow();
    expect(hits()).toBe(0);

    const after = (await addFault({ route: 'POST /probe/hit', dropConnection: true, after: true, times: 1 })).body
      .fault as { id: string };
    await expect(request(`${server.url}/probe/hit`, { method: 'POST' })).rejects.toThrow();
    expect(hits()).toBe(1);

    const logged = (await json('/_insight/requests?path=/probe/hit')).body.requests as RequestRecord[];
    expect(logged.map((r) => [r.status, r.fault])).toEqual([
      [0, before.id],
      [0, after.id],
    ]);
  });

  it('replaces the answer after the handler ran with `after` and a status', async () => {
    await addFault({ route: '/probe/hit', status: 500, after: true, times: 1 });
    expect((await json('/probe/hit', { method: 'POST' })).status).toBe(500);
    expect(hits()).toBe(1);
  });

  it('delays answers by latencyMs', async () => {
    await addFault({ route: 'GET /predict/api/ping', latencyMs: 150 });
    const started = performance.now();
    expect((await fetch(`${server.url}/predict/api/ping`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses informational statuses, which would leave clients waiting', async () => {
    for (const status of [100, 101, 103, 199]) {
      expect((await addFault({ route: '/predict/api/ping', status })).status).toBe(400);
    }
    expect((await addFault({ route: '/predict/api/ping', status: 200 })).status).toBe(201);
  });

  it('logs a request whose client left during the delay as dropped, and still runs nothing', async () => {
    await addFault({ route: 'POST /probe/hit', latencyMs: 400 });
    await expect(
      request(`${server.url}/probe/hit`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    // The delay ends when the client goes: the record appears well before the 400 ms are up.
    const started = performance.now();
    let logged: RequestRecord[] = [];
    while (logged.length === 0 && performance.now() - started < 2_000) {
      logged = (await json('/_insight/requests?path=/probe/hit')).body.requests as RequestRecord[];
      if (logged.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(logged.map((r) => r.status)).toEqual([0]);
    expect(logged[0]!.latencyMs).toBeLessThan(350);
    expect(hits()).toBe(0);
  });

  it('logs an answer that could not be sent (the client cut its body short) as dropped, not 200', async () => {
    const { connect } = await import('node:net');
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // The callback route reads the body before it answers; the client leaves with 990 bytes still to come.
    socket.write('POST /predict/api/app/callback HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly ten b');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const started = performance.now();
    let logged: RequestRecord[] = [];
    while (logged.length === 0 && performance.now() - started < 2_000) {
      logged = (await json('/_insight/requests?path=/predict/api/app/callback')).body.requests as RequestRecord[];
      if (logged.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(logged.map((r) => r.status)).toEqual([0]);
  });

  it('ends pending delays on close, so that a closed emulator keeps no process alive', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/close-during-delay.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', TSX, fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let closedAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('CLOSED')) closedAt ??= performance.now();
    });
    const code = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('exit', (exitCode) => {
        clearTimeout(killer);
        resolve(exitCode);
      });
    });
    expect(closedAt).toBeDefined();
    expect(code).toBe(0);
    // Without the delay ended, the process would live on for the rest of the ten minutes.
    expect(performance.now() - closedAt!).toBeLessThan(5_000);
  }, 70_000);

  it('restarts the seeded generator on reset, so a suite sharing one emulator draws the same faults', async () => {
    const draw = async () => {
      await json('/_insight/reset', { method: 'POST' });
      await addFault({ route: 'GET /predict/api/ping', status: 503, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await fetch(`${server.url}/predict/api/ping`)).status);
      return statuses;
    };
    const first = await draw();
    expect(new Set(first).size).toBe(2);
    // Draws in between, then a reset: the same sequence again.
    await addFault({ route: '/probe/**', status: 500, probability: 0.5 });
    for (let i = 0; i < 5; i++) await fetch(`${server.url}/probe/teapot`);
    expect(await draw()).toEqual(first);
  });

  it('fires with its probability, deterministically for a seed, and never on the control plane', async () => {
    const outcomes = async () => {
      const local = await createMockServer({ insight: QUIET_INSIGHT, seed: 7, modules: [] });
      try {
        await request(`${local.url}/_insight/faults`, {
          method: 'POST',
          body: JSON.stringify({ route: '**', status: 503, probability: 0.5 }),
        });
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) statuses.push((await fetch(`${local.url}/predict/api/ping`)).status);
        expect((await fetch(`${local.url}/_insight/health`)).status).toBe(200);
        return statuses;
      } finally {
        await local.close();
      }
    };
    const first = await outcomes();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(8);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(8);
    expect(await outcomes()).toEqual(first);
  });

  it('is cleared by reset, as is the request log', async () => {
    await addFault({ route: '**', status: 500 });
    await json('/_insight/reset', { method: 'POST' });
    expect((await json('/_insight/faults')).body.faults).toEqual([]);
    const logged = (await json('/_insight/requests')).body.requests as RequestRecord[];
    expect(logged.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /_insight/reset', 'GET /_insight/faults']);
  });
});
