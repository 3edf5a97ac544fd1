import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipCapped, PayloadTooLargeError, ProtocolDecodeError } from '@insight/protocol';
import { createByteAirModule } from './byteair/module.js';
import type { Clock } from './core/clock.js';
import { CONTROL_MODULE, CONTROL_PREFIX, registerControlPlane } from './core/control.js';
import { EmulatorError, toEmulatorError } from './core/errors.js';
import { createFaultSet, type FaultRule, type FaultSet } from './core/faults.js';
import { type EmulatorRequest, jsonReply, type Reply } from './core/http.js';
import type { EmulatorContext, EmulatorModule } from './core/module.js';
import { createRandom } from './core/random.js';
import { createRequestLog, type RequestLog, type RequestRecord, redactHeaders } from './core/request-log.js';
import { createRouteTable, type ErrorRenderer, type Route } from './core/router.js';
import { type MockServerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { createInsightModule } from './insight/index.js';
import { createStore, type Store } from './store/store.js';
import { EMULATOR_VERSION } from './version.js';

/** Response header carrying {@link EMULATOR_VERSION} on every answer. */
export const VERSION_HEADER = 'X-Insight-Emulator-Version';

/** A running emulator. */
export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The SQLite store (for assertions in tests). */
  readonly store: Store;
  readonly clock: Clock;
  /** Fault rules, as `/_insight/faults` edits them. */
  readonly faults: FaultSet;
  /** The request log, as `/_insight/requests` shows it. */
  readonly requests: RequestLog;
  /** The options in force, defaults applied. */
  readonly options: ResolvedOptions;
  /** Forgets all state, as `POST /_insight/reset`. */
  reset(): void;
  /** Stops modules, closes every connection (streams included) and the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an emulator of ByteAir and Content Insight in this process.
 *
 * @throws TypeError for invalid options; the listen error when the port is taken.
 */
export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const resolved = resolveOptions(options);
  const { clock, logger } = resolved;
  const store = createStore(resolved.dataDir);
  // Reset starts the sequence over, so that a suite sharing one emulator draws the same faults whatever ran before.
  let draw = createRandom(resolved.seed);
  const random = (): number => draw();
  const ctx: EmulatorContext = { store, clock, options: resolved, random, log: (line) => logger?.(line) };
  const modules: EmulatorModule[] = [createByteAirModule(), createInsightModule(options.insight), ...resolved.modules];
  const faults = createFaultSet();
  const requests = createRequestLog(resolved.requestLogSize);
  const routes = createRouteTable();

  const reset = (): void => {
    for (const module of modules) module.reset?.();
    faults.clear();
    requests.clear();
    draw = createRandom(resolved.seed);
  };
  /** Aborted by `close()`: ends injected delays, so that a closed emulator leaves no timer behind. */
  const shutdown = new AbortController();

  try {
    const names = new Set<string>([CONTROL_MODULE]);
    for (const module of modules) {
      if (names.has(module.name)) throw new TypeError(`module name "${module.name}" is used twice or reserved`);
      names.add(module.name);
      store.migrate(module.name, module.migrations);
      module.register(routes.forModule(module.name, module.renderError), ctx);
    }
    registerControlPlane(routes.forModule(CONTROL_MODULE), { modules, faults, requests, startedAt: Date.now(), reset });
  } catch (error) {
    store.close();
    throw error;
  }

  let seq = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only a failure while writing the answer lands here; the connection is the one thing left to give up.
      logger?.(`emulator: failed to answer ${req.method} ${req.url}: ${toEmulatorError(error).message}`);
      res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const time = new Date(clock.now()).toISOString();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const requestId = firstHeader(req, 'request-id') ?? firstHeader(req, 'x-request-id') ?? randomUUID();
    res.setHeader(VERSION_HEADER, EMULATOR_VERSION);

    const record: RequestRecord = {
      seq: ++seq,
      time,
      method,
      path,
      query: rawQuery,
      status: 0,
      requestId,
      module: 'none',
      latencyMs: 0,
      headers: redactHeaders(req.headers),
    };
    try {
      record.status = await dispatch();
    } finally {
      record.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      requests.add(record);
      resolved.onRequest?.(record);
      logger?.(
        `${record.method} ${record.path} ${record.status || 'dropped'} ${record.latencyMs}ms ${record.module} ` +
          `request-id=${requestId}${record.fault ? ` fault=${record.fault}` : ''}`,
      );
    }

    async function dispatch(): Promise<number> {
      let lookup: ReturnType<typeof routes.lookup>;
      try {
        lookup = routes.lookup(method, path);
      } catch {
        return send(res, jsonReply(errorJson(400, `malformed percent-encoding in path ${path}`), 400));
      }
      if (!lookup.found) {
        if (lookup.allowedMethods.length > 0) {
          const allow = lookup.allowedMethods.join(', ');
          return send(res, jsonReply(errorJson(405, `${method} ${path} is not allowed; use ${allow}`), 405, { allow }));
        }
        return send(res, jsonReply(errorJson(404, `no route for ${method} ${path}`), 404));
      }
      const { route } = lookup;
      record.module = route.module;
      const line = { id: requestId, method, path, rawQuery, params: lookup.params };
      const request = createRequest(req, res, line, resolved.limits);
      const fault = path.startsWith(CONTROL_PREFIX) ? undefined : faults.pick(method, path, random);
      if (fault) record.fault = fault.id;

      if (fault && !fault.after) {
        const outcome = await applyFault(fault, route, request);
        if (outcome !== undefined) return outcome;
      }
      const reply = await runHandler(route, request);
      if (fault?.after) {
        const outcome = await applyFault(fault, route, request);
        if (outcome !== undefined) return outcome;
      }
      return send(res, reply);
    }

    /** @returns the status answered (0 when dropped), or undefined when the request proceeds. */
    async function applyFault(fault: FaultRule, route: Route, request: EmulatorRequest): Promise<number | undefined> {
      if (fault.latencyMs !== undefined) {
        await delay(fault.latencyMs, res, shutdown.signal);
        // The client gave up (or the emulator is closing) during the delay: nothing more can reach it.
        if (res.destroyed || shutdown.signal.aborted) {
          req.socket.destroy();
          return 0;
        }
      }
      if (fault.dropConnection) {
        req.socket.destroy();
        return 0;
      }
      if (fault.status === undefined) return undefined;
      const message = fault.message ?? `fault ${fault.id} injected by the emulator`;
      const error = new EmulatorError(fault.status, message, { code: fault.code });
      return send(res, renderError(route, error, request));
    }
  }

  async function runHandler(route: Route, request: EmulatorRequest): Promise<Reply> {
    try {
      return await route.handler(request);
    } catch (thrown) {
      const error = toEmulatorError(thrown);
      if (error.status >= 500) logger?.(`emulator: ${route.method} ${route.pattern} failed: ${error.message}`);
      return renderError(route, error, request);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  for (const module of modules) module.start?.(ctx);

  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    store,
    clock,
    faults,
    requests,
    options: resolved,
    reset,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const module of modules) await module.stop?.();
        await stopped;
        store.close();
      })();
      return closing;
    },
  };
}

function renderError(route: Route, error: EmulatorError, request: EmulatorRequest): Reply {
  const render: ErrorRenderer = route.renderError ?? defaultRenderError;
  try {
    return render(error, request);
  } catch {
    return defaultRenderError(error);
  }
}

function defaultRenderError(error: EmulatorError): Reply {
  return jsonReply(errorJson(error.status, error.message, error.code), error.status);
}

function errorJson(status: number, message: string, code: number = status): { error: Record<string, unknown> } {
  return { error: { status, code, message } };
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

interface RequestLine {
  id: string;
  method: string;
  path: string;
  rawQuery: string;
  params: Record<string, string>;
}

function createRequest(
  req: IncomingMessage,
  res: ServerResponse,
  line: RequestLine,
  limits: { bodyBytes: number; decodedBodyBytes: number },
): EmulatorRequest {
  let raw: Promise<Buffer> | undefined;
  let decoded: Promise<Buffer> | undefined;
  const rawBody = (): Promise<Buffer> => {
    raw ??= readCapped(req, res, limits.bodyBytes);
    return raw;
  };
  const body = (): Promise<Buffer> => {
    decoded ??= rawBody().then((bytes) => decodeBody(bytes, firstHeader(req, 'content-encoding'), limits));
    return decoded;
  };
  return {
    ...line,
    query: new URLSearchParams(line.rawQuery),
    headers: req.headers,
    raw: req,
    header: (name) => firstHeader(req, name.toLowerCase()),
    rawBody,
    body,
    async json() {
      const text = (await body()).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new EmulatorError(400, `body is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}

function decodeBody(
  bytes: Buffer,
  encoding: string | undefined,
  limits: { bodyBytes: number; decodedBodyBytes: number },
): Buffer {
  const name = encoding?.trim().toLowerCase() ?? 'identity';
  if (name === 'identity') {
    if (bytes.length > limits.decodedBodyBytes) throw tooLarge(limits.decodedBodyBytes, 'body');
    return bytes;
  }
  if (name !== 'gzip') throw new EmulatorError(415, `Content-Encoding "${encoding}" is not supported; use gzip`);
  try {
    const out = gunzipCapped(bytes, { maxBytes: limits.decodedBodyBytes, maxCompressedBytes: limits.bodyBytes });
    return Buffer.from(out.buffer, out.byteOffset, out.length);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw tooLarge(error.maxBytes, `${error.limit} body`);
    if (error instanceof ProtocolDecodeError) throw new EmulatorError(400, `body is not valid gzip: ${error.message}`);
    throw error;
  }
}

function tooLarge(maxBytes: number, what: string): EmulatorError {
  return new EmulatorError(413, `${what} exceeds ${maxBytes} bytes`);
}

/**
 * Waits `ms` (an injected latency), ending early when the client goes away or the emulator closes.
 */
async function delay(ms: number, res: ServerResponse, shutdown: AbortSignal): Promise<void> {
  if (res.destroyed || shutdown.aborted) return;
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: AbortSignal.any([gone.signal, shutdown]) });
  } catch {
    // Aborted: the caller looks at why.
  } finally {
    res.off('close', onClose);
  }
}

const cutShort = (): EmulatorError => new EmulatorError(400, 'request body was cut short by the client');

/** Reads a request body, refusing it as soon as it passes `maxBytes` (the connection is then closed after the answer). */
function readCapped(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Buffer> {
  const refuse = (): EmulatorError => {
    res.setHeader('connection', 'close');
    return tooLarge(maxBytes, 'body');
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(refuse());
  // A client that left before the body was read (during an injected delay, say) will never send the rest.
  if (req.destroyed && !req.readableEnded) return Promise.reject(cutShort());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(refuse());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new EmulatorError(400, `request body could not be read: ${error.message}`));
    };
    const onAborted = (): void => {
      cleanup();
      reject(cutShort());
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      req.off('close', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    // 'close' comes after 'end' for a complete body (the listener is gone by then); before it, the client left.
    req.on('close', onAborted);
  });
}

/**
 * Writes a reply. A streamed reply runs until its producer settles or the client goes.
 *
 * @returns the HTTP status sent.
 */
async function send(res: ServerResponse, reply: Reply): Promise<number> {
  // An answer that cannot go out is logged as dropped (0), not as the status the response object defaults to.
  if (res.headersSent || res.destroyed) return res.headersSent ? res.statusCode : 0;
  if (reply.kind === 'body') {
    const body = reply.body ?? '';
    res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return reply.status;
  }
  res.writeHead(reply.status, reply.headers);
  res.flushHeaders();
  const controller = new AbortController();
  const onClose = (): void => controller.abort();
  res.on('close', onClose);
  const sink = {
    res,
    signal: controller.signal,
    async write(chunk: Uint8Array | string): Promise<boolean> {
      if (controller.signal.aborted || res.writableEnded) return false;
      if (res.write(chunk)) return true;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          controller.signal.removeEventListener('abort', done);
          resolve();
        };
        res.once('drain', done);
        controller.signal.addEventListener('abort', done, { once: true });
      });
      return !controller.signal.aborted;
    },
  };
  try {
    await reply.stream(sink);
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded && !res.destroyed) res.end();
  }
  return reply.status;
}
