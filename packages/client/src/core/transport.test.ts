import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { classifyHttpStatus } from '@insight/protocol';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalServer, refusedPort, reply, startServer } from '../../test/support/local-server.js';
import {
  ApiError,
  ConnectionError,
  RequestValidationError,
  ResponseValidationError,
  TimeoutError,
  UserAbortError,
} from './errors.js';
import type { AttemptInfo, Logger } from './logging.js';
import { createRetryBudget } from './retry-budget.js';
import {
  type AttemptContext,
  type BufferedRequestSpec,
  type RawResponse,
  type TransportOptions,
  createTransport,
  normaliseBaseUrls,
} from './transport.js';

const servers: LocalServer[] = [];
async function server(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Success is HTTP 200; any other status is an ApiError classified by the protocol catalogue. */
function parseText(response: RawResponse): string {
  const text = Buffer.from(response.body).toString();
  if (response.status === 200) return text;
  const kind = classifyHttpStatus(response.status)!;
  throw new ApiError(`HTTP ${response.status}`, { status: response.status, headers: response.headers, ...kind });
}

function spec(overrides: Partial<BufferedRequestSpec<string>> = {}): BufferedRequestSpec<string> {
  return {
    route: 'test.echo',
    method: 'POST',
    path: '/echo',
    headers: { 'Request-Id': 'rid-1' },
    body: 'hello',
    requestId: 'rid-1',
    replaySafe: true,
    parse: parseText,
    ...overrides,
  };
}

const FAST: Partial<TransportOptions> = { backoff: { baseMs: 1, capMs: 5 }, timeout: 2_000 };

function recorder() {
  const attempts: AttemptInfo[] = [];
  return { attempts, onAttempt: (info: AttemptInfo) => attempts.push(info) };
}

describe('createTransport: retries', () => {
  it.each([
    [503, true],
    [500, true],
    [429, true],
    [408, true],
    [400, false],
    [404, false],
    [401, false],
  ])('HTTP %i is retried: %s', async (status, retried) => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, status, 'no') : reply(res, 200, 'ok')));
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [s.url], onAttempt });
    const result = transport.request(spec());
    if (retried) await expect(result).resolves.toBe('ok');
    else await expect(result).rejects.toMatchObject({ name: 'ApiError', status, attempts: 1 });
    expect(s.received).toHaveLength(retried ? 2 : 1);
    expect(attempts.map((a) => a.status)).toEqual(retried ? [status, 200] : [status]);
    await transport.close();
  });

  it('sends the same request id, body and headers on every attempt', async () => {
    const s = await server((_req, res, i) => (i < 2 ? reply(res, 503) : reply(res, 200, 'ok')));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(s.received.map((r) => r.headers['request-id'])).toEqual(['rid-1', 'rid-1', 'rid-1']);
    expect(s.received.map((r) => r.body.toString())).toEqual(['hello', 'hello', 'hello']);
    await transport.close();
  });

  it('gives up after maxRetries, per client and per call', async () => {
    const s = await server((_req, res) => reply(res, 503));
    const transport = createTransport({ ...FAST, hosts: [s.url], maxRetries: 3 });
    await expect(transport.request(spec())).rejects.toMatchObject({ status: 503, attempts: 4, retryable: true });
    await expect(transport.request(spec(), { maxRetries: 0 })).rejects.toMatchObject({ attempts: 1 });
    expect(s.received).toHaveLength(5);
    await transport.close();
  });

  it('honours Retry-After (seconds) over the computed backoff', async () => {
    const s = await server((_req, res, i) =>
      i === 0 ? reply(res, 429, '', { 'Retry-After': '0.3' }) : reply(res, 200, 'ok'),
    );
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [s.url], onAttempt });
    const started = performance.now();
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(attempts[0]).toMatchObject({ status: 429, willRetry: true, retryDelayMs: 300 });
    await transport.close();
  });

  it('retries a call that is not replay-safe only when the server cannot have processed it', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : i === 1 ? reply(res, 429) : reply(res, 200)));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    // A 503 may have been applied: no replay without an idempotency key.
    await expect(transport.request(spec({ replaySafe: false }))).rejects.toMatchObject({ status: 503, attempts: 1 });
    // A 429 was refused before processing: replaying is safe.
    await expect(transport.request(spec({ replaySafe: false }))).resolves.toBe('');
    expect(s.received).toHaveLength(3);
    await transport.close();
  });

  it('stops retrying when the client-wide retry budget is spent, and refills it on success', async () => {
    let failing = true;
    const s = await server((_req, res) => (failing ? reply(res, 503) : reply(res, 200, 'ok')));
    const retryBudget = createRetryBudget({ capacity: 10, retryCost: 5, successRefill: 1 });
    const transport = createTransport({ ...FAST, hosts: [s.url], maxRetries: 5, retryBudget });
    // 10 tokens pay for two retries, then failures surface at once.
    await expect(transport.request(spec())).rejects.toMatchObject({ attempts: 3 });
    expect(retryBudget.available).toBe(0);
    await expect(transport.request(spec())).rejects.toMatchObject({ attempts: 1 });
    expect(s.received).toHaveLength(4);
    failing = false;
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(retryBudget.available).toBe(1);
    await transport.close();
  });

  it('hands the tokens of a retried call back when it finally succeeds', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200, 'ok')));
    const retryBudget = createRetryBudget({ capacity: 100 });
    const transport = createTransport({ ...FAST, hosts: [s.url], retryBudget });
    await transport.request(spec());
    expect(retryBudget.available).toBe(100);
    await transport.close();
  });
});

describe('createTransport: connections, timeouts and aborts', () => {
  it('fails over to the next host when one refuses, without waiting', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const dead = `http://127.0.0.1:${await refusedPort()}`;
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [dead, s.url], onAttempt, backoff: { baseMs: 10_000 } });
    for (let i = 0; i < 3; i++) await expect(transport.request(spec())).resolves.toBe('ok');
    // The refusing host is tried once, then passed over while it cools down.
    expect(attempts.map((a) => [a.host, a.error?.name ?? a.status])).toEqual([
      [dead, 'ConnectionError'],
      [s.url, 200],
      [s.url, 200],
      [s.url, 200],
    ]);
    expect(attempts[0]).toMatchObject({ willRetry: true, retryDelayMs: 0 });
    await transport.close();
  });

  it('moves a call the first host refused to the next one even with maxRetries 0: it was never sent', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const dead = [`http://127.0.0.1:${await refusedPort()}`, `http://127.0.0.1:${await refusedPort()}`];
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [...dead, s.url], maxRetries: 0, onAttempt });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(attempts.map((a) => a.error?.name ?? a.status)).toEqual(['ConnectionError', 'ConnectionError', 200]);
    // With every host refusing, each is tried once and the call fails.
    const alone = createTransport({ ...FAST, hosts: dead, maxRetries: 0 });
    await expect(alone.request(spec())).rejects.toMatchObject({ code: 'ECONNREFUSED', attempts: 2 });
    await Promise.all([transport.close(), alone.close()]);
  });

  it('reports a refused connection as a ConnectionError with its code', async () => {
    const dead = `http://127.0.0.1:${await refusedPort()}`;
    const transport = createTransport({ ...FAST, hosts: [dead], maxRetries: 1 });
    const error = await transport.request(spec()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', notSent: true, requestId: 'rid-1', attempts: 2 });
    await transport.close();
  });

  it('times out each attempt and retries with the same request id', async () => {
    const s = await server((_req, res, i) => {
      if (i === 0) setTimeout(() => reply(res, 200, 'late'), 500);
      else reply(res, 200, 'ok');
    });
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [s.url], timeout: 100, onAttempt });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(attempts[0]?.error).toBeInstanceOf(TimeoutError);
    expect(s.received.map((r) => r.headers['request-id'])).toEqual(['rid-1', 'rid-1']);
    await transport.close();
  });

  it('throws a TimeoutError once the retries are spent, and honours a per-call timeout', async () => {
    const s = await server((_req, res) => setTimeout(() => reply(res, 200, 'late'), 400));
    const transport = createTransport({ ...FAST, hosts: [s.url], timeout: 5_000, maxRetries: 1 });
    const started = performance.now();
    const error = await transport.request(spec(), { timeout: 80 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 80, attempts: 2, requestId: 'rid-1' });
    expect(performance.now() - started).toBeLessThan(400);
    await transport.close();
  });

  it('stops at once when the caller aborts, during an attempt or a backoff wait', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : setTimeout(() => reply(res, 200), 1_000)));
    const transport = createTransport({ ...FAST, hosts: [s.url], backoff: { baseMs: 5_000, capMs: 5_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await transport.request(spec(), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserAbortError);
    expect(performance.now() - started).toBeLessThan(1_000);

    const inFlight = new AbortController();
    setTimeout(() => inFlight.abort(), 50);
    const second = await transport.request(spec(), { signal: inFlight.signal, maxRetries: 0 }).catch((e) => e);
    expect(second).toBeInstanceOf(UserAbortError);
    expect(await transport.request(spec(), { signal: AbortSignal.abort() }).catch((e) => e)).toBeInstanceOf(
      UserAbortError,
    );
    await transport.close();
  });
});

describe('createTransport: requests and answers', () => {
  it('sends a JSON body on GET, with the query string in order', async () => {
    const s = await server((req, res) => reply(res, 200, req.body));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const result = await transport.request(
      spec({ method: 'GET', path: '/preview', query: { b: 2, a: 'x y', skip: undefined }, body: '{"rule":1}' }),
    );
    expect(result).toBe('{"rule":1}');
    expect(s.received[0]).toMatchObject({ method: 'GET', url: '/preview?b=2&a=x+y' });
    await transport.close();
  });

  it('gunzips a gzip answer, and refuses one over the size cap', async () => {
    const big = 'x'.repeat(10_000);
    const s = await server((_req, res) => reply(res, 200, gzipSync(big), { 'Content-Encoding': 'gzip' }));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    await expect(transport.request(spec())).resolves.toBe(big);
    const capped = createTransport({ ...FAST, hosts: [s.url], maxResponseBytes: 1_000 });
    await expect(capped.request(spec())).rejects.toBeInstanceOf(ResponseValidationError);
    await Promise.all([transport.close(), capped.close()]);
  });

  it('caps answers with and without a declared length', async () => {
    const s = await server((req, res) => {
      if (req.url === '/declared') return reply(res, 200, 'y'.repeat(2_000));
      // No Content-Length: chunked transfer, counted as it arrives.
      res.writeHead(200);
      res.write('z'.repeat(req.url === '/chunked-small' ? 10 : 1_500));
      res.end('z'.repeat(req.url === '/chunked-small' ? 10 : 1_500));
    });
    const transport = createTransport({ ...FAST, hosts: [s.url], maxResponseBytes: 1_000 });
    await expect(transport.request(spec({ path: '/declared' }))).rejects.toThrow(/exceeds 1000 bytes/);
    await expect(transport.request(spec({ path: '/chunked' }))).rejects.toThrow(/exceeds 1000 bytes/);
    await expect(transport.request(spec({ path: '/chunked-small' }))).resolves.toBe('z'.repeat(20));
    await transport.close();
  });

  it('turns a parser failure into a ResponseValidationError', async () => {
    const s = await server((_req, res) => reply(res, 200, 'not json'));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const error = await transport
      .request(spec({ parse: (r) => JSON.parse(Buffer.from(r.body).toString()) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ status: 200, requestId: 'rid-1', attempts: 1 });
    await transport.close();
  });

  it('re-runs the auth hook on every attempt over the exact request sent', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200, 'ok')));
    const seen: { query: string; host: string; body: string; headers: Record<string, string> }[] = [];
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      headers: { 'X-Default': 'd' },
      authenticate: (req) => {
        seen.push({
          query: req.query,
          host: req.host,
          body: Buffer.from(req.body).toString(),
          headers: { ...req.headers },
        });
        return { 'X-Signature': `sig-${seen.length}` };
      },
    });
    await transport.request(spec({ query: { q: '1' } }), { headers: { 'X-Call': 'c' } });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({
      query: 'q=1',
      host: s.host,
      body: 'hello',
      headers: { 'X-Default': 'd', 'Request-Id': 'rid-1', 'X-Call': 'c', Host: s.host },
    });
    expect(s.received.map((r) => r.headers['x-signature'])).toEqual(['sig-1', 'sig-2']);
    await transport.close();
  });

  it('refreshes credentials once on an auth error and replays', async () => {
    let token = 'old';
    const s = await server((req, res) => (req.headers.token === 'new' ? reply(res, 200, 'ok') : reply(res, 401)));
    let refreshes = 0;
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      maxRetries: 0,
      authenticate: () => ({ Token: token }),
      refreshAuth: () => {
        refreshes++;
        token = 'new';
        return true;
      },
    });
    await expect(transport.request(spec())).resolves.toBe('ok');
    token = 'stale';
    const refreshing = createTransport({
      ...FAST,
      hosts: [s.url],
      authenticate: () => ({ Token: token }),
      refreshAuth: () => true,
    });
    await expect(refreshing.request(spec())).rejects.toMatchObject({ status: 401, attempts: 2 });
    expect(refreshes).toBe(1);
    await Promise.all([transport.close(), refreshing.close()]);
  });

  it('streams a 2xx answer and turns an error status into the parsed error', async () => {
    const s = await server((req, res) => {
      if (req.url === '/fail') return reply(res, 403, 'denied');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: 2\n\n'), 150);
    });
    const transport = createTransport({ ...FAST, hosts: [s.url], timeout: 100 });
    const parseError = (r: RawResponse) =>
      new ApiError(Buffer.from(r.body).toString(), { status: r.status, errorClass: 'permanent', retryable: false });
    const stream = await transport.stream({ ...spec({ method: 'GET', body: undefined }), parseError });
    let text = '';
    // The per-attempt timeout bounds the wait for the headers, not the life of the stream.
    for await (const chunk of stream.body) text += chunk;
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
    await expect(transport.stream({ ...spec({ path: '/fail' }), parseError })).rejects.toMatchObject({
      status: 403,
      message: 'denied',
    });
    await transport.close();
  });

  it("ends a stream when the caller's signal aborts after the answer arrived", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: 1\n\n');
      const timer = setTimeout(() => res.end('data: 2\n\n'), 2_000);
      res.on('close', () => clearTimeout(timer));
    });
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const controller = new AbortController();
    const parseError = () => new ApiError('unexpected', { status: 500, errorClass: 'permanent', retryable: false });
    const stream = await transport.stream(
      { ...spec({ method: 'GET', body: undefined }), parseError },
      {
        signal: controller.signal,
      },
    );
    const started = performance.now();
    const chunks: string[] = [];
    const consumed = (async () => {
      for await (const chunk of stream.body) {
        chunks.push(String(chunk));
        controller.abort();
      }
    })();
    await expect(consumed).rejects.toThrow();
    expect(chunks).toEqual(['data: 1\n\n']);
    expect(performance.now() - started).toBeLessThan(1_000);
    await transport.close();
  });

  it('uses an injected dispatcher and leaves it open on close', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const dispatcher = new Agent();
    const transport = createTransport({ ...FAST, hosts: [s.url], dispatcher });
    await transport.request(spec());
    await transport.close();
    expect(dispatcher.closed).toBe(false);
    await dispatcher.close();
  });

  it('refuses a malformed request without retrying it', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const error = await transport.request(spec(), { headers: { 'X-Bad': 'a\r\nb' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error).toMatchObject({ attempts: 1 });
    expect(s.received).toHaveLength(0);
    await transport.close();
  });

  it('rejects base URLs that are not scheme://host[:port]', () => {
    expect(() => normaliseBaseUrls([])).toThrow(/at least one/);
    expect(() => normaliseBaseUrls(['ftp://x'])).toThrow(/hosts\[0\] must use http or https/);
    expect(() => normaliseBaseUrls(['http://ok', 'https://x/path'])).toThrow(/hosts\[1\]/);
    expect(normaliseBaseUrls(['https://a.example.com/', 'http://127.0.0.1:80'])).toEqual([
      'https://a.example.com',
      'http://127.0.0.1',
    ]);
  });
});

describe('createTransport: observability', () => {
  it('logs one line per attempt with route, status, latency and attempt, credentials redacted', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200, 'ok')));
    const lines: [string, string, Record<string, unknown>][] = [];
    const logger: Logger = {
      debug: (m, f) => lines.push(['debug', m, f!]),
      info: (m, f) => lines.push(['info', m, f!]),
      warn: (m, f) => lines.push(['warn', m, f!]),
      error: (m, f) => lines.push(['error', m, f!]),
    };
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      logger,
      authenticate: () => ({ Authorization: 'HMAC secret', 'Tenant-Signature': 'abc', 'X-Insight-Access-Token': 't' }),
    });
    await transport.request(spec());
    expect(lines.map(([level]) => level)).toEqual(['warn', 'debug']);
    expect(lines[0]![1]).toMatch(/^test\.echo POST \/echo -> 503 in \d+ ms \(attempt 1, request rid-1\)$/);
    expect(lines[1]![2]).toMatchObject({ route: 'test.echo', status: 200, attempt: 2, requestId: 'rid-1' });
    expect(typeof lines[1]![2].latencyMs).toBe('number');
    const logged = JSON.stringify(lines);
    expect(logged).not.toMatch(/HMAC secret|"abc"|"t"/);
    expect(lines[0]![2].headers).toMatchObject({
      Authorization: '[REDACTED]',
      'Tenant-Signature': '[REDACTED]',
      'X-Insight-Access-Token': '[REDACTED]',
      'Request-Id': 'rid-1',
    });
    await transport.close();
  });

  it('keeps going when an onAttempt hook throws', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      logger,
      onAttempt: () => {
        throw new Error('metrics down');
      },
    });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(errors).toEqual(['onAttempt hook threw']);
    await transport.close();
  });
});

describe('createTransport: a throwing logger', () => {
  function throwing(levels: readonly (keyof Logger)[]): Logger & { calls: string[] } {
    const calls: string[] = [];
    const log = (level: keyof Logger) => () => {
      calls.push(level);
      if (levels.includes(level)) throw new Error(`logger ${level} down`);
    };
    return { calls, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  }

  it('does not turn a delivered call into a failure', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const logger = throwing(['debug']);
    const transport = createTransport({ ...FAST, hosts: [s.url], logger });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(logger.calls).toEqual(['debug']);
    expect(s.received).toHaveLength(1);
    await transport.close();
  });

  it('neither stops a retry nor replaces the final error', async () => {
    const s = await server((req, res, i) =>
      req.url === '/bad' ? reply(res, 400) : i === 0 ? reply(res, 503) : reply(res, 200, 'ok'),
    );
    const logger = throwing(['debug', 'warn', 'error']);
    const transport = createTransport({ ...FAST, hosts: [s.url], logger });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(logger.calls).toEqual(['warn', 'debug']);
    const error = await transport.request(spec({ path: '/bad' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, attempts: 1 });
    await transport.close();
  });

  it('keeps going when both an onAttempt hook and the logger throw', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const logger = throwing(['debug', 'error']);
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      logger,
      onAttempt: () => {
        throw new Error('metrics down');
      },
    });
    await expect(transport.request(spec())).resolves.toBe('ok');
    expect(logger.calls).toEqual(['error', 'debug']);
    await transport.close();
  });
});

describe('createTransport: timing settings', () => {
  it.each([
    [{ timeout: Number.POSITIVE_INFINITY }, /^createTransport: timeout must be an integer from 1 to 2147483647/],
    [{ timeout: Number.NaN }, /timeout must be an integer/],
    [{ timeout: 2 ** 31 }, /timeout must be an integer .* got 2147483648/],
    [{ timeout: 0 }, /timeout must be an integer/],
    [{ timeout: 1.5 }, /timeout must be an integer/],
    [{ timeout: '100' as never }, /timeout must be an integer .* got "100"/],
    [{ maxRetries: -1 }, /^createTransport: maxRetries must be a non-negative integer, got -1/],
    [{ maxRetries: 1.5 }, /maxRetries must be a non-negative integer/],
    [{ maxRetries: Number.POSITIVE_INFINITY }, /maxRetries must be a non-negative integer/],
    [{ backoff: { baseMs: Number.NaN } }, /^createTransport: backoff\.baseMs must be a finite number/],
    [{ backoff: { baseMs: -1 } }, /backoff\.baseMs must be a finite number/],
    [{ backoff: { capMs: Number.POSITIVE_INFINITY } }, /backoff\.capMs must be a finite number/],
    [{ backoff: null as never }, /backoff must be an object/],
  ])('refuses %o at creation', (settings, message) => {
    expect(() => createTransport({ hosts: ['http://127.0.0.1:1'], ...settings })).toThrow(TypeError);
    expect(() => createTransport({ hosts: ['http://127.0.0.1:1'], ...settings })).toThrow(message);
  });

  it('accepts the extremes of each range', async () => {
    const transport = createTransport({
      hosts: ['http://127.0.0.1:1'],
      timeout: 2 ** 31 - 1,
      maxRetries: 0,
      backoff: { baseMs: 0, capMs: 0 },
    });
    await transport.close();
  });

  it('refuses a per-call timeout or maxRetries out of range before sending', async () => {
    const s = await server((_req, res) => setTimeout(() => reply(res, 200, 'ok'), 20));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    for (const timeout of [2 ** 31, Number.POSITIVE_INFINITY, Number.NaN, 0, -5, 2.5]) {
      const error = await transport.request(spec(), { timeout }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestValidationError);
      expect(error).toMatchObject({ attempts: 0, requestId: 'rid-1' });
      expect((error as RequestValidationError).issues.map((i) => i.path)).toEqual(['timeout']);
    }
    const error = await transport.request(spec(), { maxRetries: -1 }).catch((e: unknown) => e);
    expect((error as RequestValidationError).issues).toEqual([
      { path: 'maxRetries', message: 'must be a non-negative integer, got -1' },
    ]);
    expect(s.received).toHaveLength(0);
    await expect(transport.request(spec(), { timeout: 2 ** 31 - 1 })).resolves.toBe('ok');
    await transport.close();
  });
});

describe('createTransport: what parse learns about earlier attempts', () => {
  /** Parses like parseText, recording the context of every answer. */
  function recordingSpec(seen: AttemptContext[], overrides: Partial<BufferedRequestSpec<string>> = {}) {
    return spec({
      parse: (response, attempt, context) => {
        expect(context.attempt).toBe(attempt);
        seen.push(context);
        return parseText(response);
      },
      ...overrides,
    });
  }

  it('says whether an earlier attempt may have been applied', async () => {
    const hits = new Map<string, number>();
    const s = await server((req, res) => {
      const first = !hits.has(req.url);
      hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
      if (first && req.url === '/503') return reply(res, 503);
      if (first && req.url === '/429') return reply(res, 429);
      if (first && req.url === '/slow') return setTimeout(() => reply(res, 200, 'late'), 300);
      reply(res, 200, 'ok');
    });
    const transport = createTransport({ ...FAST, hosts: [s.url], timeout: 100 });
    const cases: [string, boolean][] = [
      ['/503', true],
      ['/429', false],
      ['/slow', true],
    ];
    for (const [path, applied] of cases) {
      const seen: AttemptContext[] = [];
      await expect(transport.request(recordingSpec(seen, { path }))).resolves.toBe('ok');
      expect(seen.at(-1)).toEqual({ attempt: 2, earlierAttemptMayHaveApplied: applied });
    }
    const seen: AttemptContext[] = [];
    await transport.request(recordingSpec(seen));
    expect(seen).toEqual([{ attempt: 1, earlierAttemptMayHaveApplied: false }]);
    await transport.close();
  });

  it('knows that a refused connection never carried the request', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const dead = `http://127.0.0.1:${await refusedPort()}`;
    const transport = createTransport({ ...FAST, hosts: [dead, s.url] });
    const seen: AttemptContext[] = [];
    await expect(transport.request(recordingSpec(seen))).resolves.toBe('ok');
    expect(seen).toEqual([{ attempt: 2, earlierAttemptMayHaveApplied: false }]);
    await transport.close();
  });
});

describe('createTransport: close', () => {
  const CLOSED = { name: 'ConnectionError', code: 'ERR_CLIENT_CLOSED', notSent: true, requestId: 'rid-1' };

  it('ends a call waiting between attempts at once, and refuses calls made afterwards', async () => {
    const s = await server((_req, res) => reply(res, 503, '', { 'Retry-After': '30' }));
    let retryScheduled!: () => void;
    const scheduled = new Promise<void>((resolve) => {
      retryScheduled = resolve;
    });
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({
      ...FAST,
      hosts: [s.url],
      onAttempt: (info) => {
        onAttempt(info);
        if (info.willRetry) retryScheduled();
      },
    });
    const waiting = transport.request(spec()).catch((e: unknown) => e);
    await scheduled;
    await transport.close();
    const error = await waiting;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ ...CLOSED, attempts: 1, message: 'POST /echo not sent: the client was closed' });

    const after = await transport.request(spec()).catch((e: unknown) => e);
    expect(after).toMatchObject({ ...CLOSED, attempts: 0 });
    expect(s.received).toHaveLength(1);
    expect(attempts.map((a) => [a.status, a.willRetry, a.retryDelayMs])).toEqual([[503, true, 30_000]]);
  });

  it('ends a wait before an attempt, signalling it to beforeAttempt, also when the hook ignores the signal', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const signals: AbortSignal[] = [];
    let bothWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => {
      bothWaiting = resolve;
    });
    // Waits that never end on their own, like a rate limiter's slot far ahead: one listens to its signal, one does not.
    const listening = (signal: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new UserAbortError()), { once: true });
        if (signals.push(signal) === 2) bothWaiting();
      });
    const deaf = (signal: AbortSignal) =>
      new Promise<void>(() => {
        if (signals.push(signal) === 2) bothWaiting();
      });
    const calls = [listening, deaf].map((beforeAttempt) =>
      transport.request(spec({ beforeAttempt })).catch((e: unknown) => e),
    );
    await waiting;
    await transport.close();
    expect(await Promise.all(calls)).toMatchObject([
      { ...CLOSED, attempts: 0 },
      { ...CLOSED, attempts: 0 },
    ]);
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect(s.received).toHaveLength(0);
  });

  it('lets any number of calls wait before an attempt without a listener-leak warning', async () => {
    const s = await server((_req, res) => reply(res, 200, 'ok'));
    const transport = createTransport({ ...FAST, hosts: [s.url] });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      let release!: () => void;
      const slot = new Promise<void>((resolve) => {
        release = resolve;
      });
      const calls = Array.from({ length: 20 }, () => transport.request(spec({ beforeAttempt: () => slot })));
      release();
      expect(await Promise.all(calls)).toEqual(Array(20).fill('ok'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
    await transport.close();
  });

  it('lets an attempt on the wire run to its end, without retrying it, before close() resolves', async () => {
    let arrived!: (response: ServerResponse) => void;
    const held = new Promise<ServerResponse>((resolve) => {
      arrived = resolve;
    });
    const s = await server((_req, res) => arrived(res));
    const { attempts, onAttempt } = recorder();
    const transport = createTransport({ ...FAST, hosts: [s.url], onAttempt });
    const settled: string[] = [];
    const call = transport.request(spec()).catch((e: unknown) => {
      settled.push('call');
      return e;
    });
    const response = await held;
    const closing = transport.close().then(() => settled.push('close'));
    reply(response, 503);
    const error = await call;
    await closing;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect(attempts.map((a) => [a.status, a.willRetry])).toEqual([[503, false]]);
    expect(settled).toEqual(['call', 'close']);
    expect(s.received).toHaveLength(1);
  });
});
