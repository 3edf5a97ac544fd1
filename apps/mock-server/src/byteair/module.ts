import { randomUUID } from 'node:crypto';
import {
  BYTEAIR_ENDPOINTS,
  BYTEAIR_HEADERS,
  BYTEAIR_LIMITS,
  CallbackRequest,
  callbackExtraProblem,
  type DataError,
  decodeMessage,
  doneBodyProblem,
  encodeMessage,
  isDataDay,
  type MessageType,
  parseContentEnd,
  PredictRequest,
  PredictResponse,
  ProtocolDecodeError,
  WriteResponse,
} from '@insight/protocol';
import { z } from 'zod';
import { describeError } from '../core/control.js';
import { EmulatorError } from '../core/errors.js';
import { type EmulatorRequest, protobufReply, textReply } from '../core/http.js';
import type { EmulatorContext, EmulatorModule } from '../core/module.js';
import { createAuthenticator } from './auth.js';
import { rankForUser, syntheticPool } from './ranking.js';
import {
  BYTEAIR_OK,
  byteAirFailure,
  callbackOk,
  renderCallbackError,
  renderPredictError,
  renderWriteError,
} from './replies.js';
import { createRepository, type Repository, type StoredCallbackItem } from './repository.js';
import { BYTEAIR_MIGRATIONS } from './schema.js';

/** Name of the module in the request log, `/_insight/state` and `/_insight/seed`. */
export const BYTEAIR_MODULE = 'byteair';
/** Items a predict call returns when its `size` is 0 (unset). */
export const DEFAULT_PREDICT_SIZE = 10;
/** Largest `size` a predict call may ask for. */
export const MAX_PREDICT_SIZE = 1000;
/** Topic whose rows fill an application's item pool. */
export const ITEM_TOPIC = 'item';

const seedSchema = z.strictObject({
  module: z.literal(BYTEAIR_MODULE),
  app: z.string().min(1),
  items: z.array(z.looseObject({ id: z.union([z.string().min(1), z.number()]) })).max(BYTEAIR_LIMITS.writeDataMaxItems),
});

/**
 * The ByteAir recommendation service: predict, callback, data write and done, and ping.
 *
 * Choices where the vendor is silent: a predict ranks the application's item pool (items written to the `item`
 * topic, whose id is the row's `id` or `item_id`, or else a synthetic pool `item-1…`) in a fixed per-user order and
 * leaves out every item a callback reported shown to that user (any reason but `filtered` or `filter`); candidate items,
 * when the request names some, replace the pool, and `filterItems` are left out. Mutations (callback, write, done)
 * record their `Request-Id` in the same transaction as their effect, so a replay answers code 409 and is not applied
 * twice, even across a crash.
 */
export function createByteAirModule(): EmulatorModule {
  let live: { repo: Repository; ctx: EmulatorContext } | undefined;

  return {
    name: BYTEAIR_MODULE,
    migrations: BYTEAIR_MIGRATIONS,
    register(router, ctx) {
      const repo = createRepository(ctx.store);
      live = { repo, ctx };
      const handlers = createHandlers(ctx, repo);
      const { ping, callback, predict, done, writeData } = BYTEAIR_ENDPOINTS;
      router.add(ping.method, ping.path, () => textReply('pong'));
      router.add(callback.method, callback.path, handlers.callback, { renderError: renderCallbackError });
      router.add(predict.method, predict.path, handlers.predict, { renderError: renderPredictError });
      router.add(done.method, done.path, handlers.done, { renderError: renderWriteError });
      router.add(writeData.method, writeData.path, handlers.write, { renderError: renderWriteError });
    },
    reset: () => live?.repo.reset(),
    state: () => live?.repo.state(),
    seed(body) {
      const parsed = seedSchema.safeParse(body);
      if (!parsed.success) throw new EmulatorError(400, `invalid byteair seed: ${describeError(parsed.error)}`);
      const { app, items } = parsed.data;
      if (!live) throw new Error('the byteair module is not registered');
      const { repo, ctx } = live;
      const now = ctx.clock.now();
      repo.transaction(() => {
        for (const item of items) repo.upsertItem(app, String(item.id), JSON.stringify(item), now);
      });
      return { app, items: items.length };
    },
  };
}

function createHandlers(ctx: EmulatorContext, repo: Repository) {
  const authenticate = createAuthenticator(ctx);
  const seed = String(ctx.options.seed);
  const { syntheticPoolSize } = ctx.options.byteair;

  /** Within `transaction`: claims the write's Request-Id, or refuses the replay with code 409. */
  const claim = (tenantId: string, req: EmulatorRequest, operation: string): void => {
    const requestId = req.header(BYTEAIR_HEADERS.requestId);
    if (requestId !== undefined && !repo.claimRequestId(tenantId, requestId, operation, ctx.clock.now())) {
      throw byteAirFailure(409, `Request-Id "${requestId}" was already received; the request was not applied again`);
    }
  };

  return {
    async predict(req: EmulatorRequest) {
      const { app, scene } = req.params as { app: string; scene: string };
      const { tenantId } = await authenticate(req, app);
      const message = decode(PredictRequest, await readBody(req));
      const uid = message.user?.uid ?? '';
      if (uid === '') throw byteAirFailure(400, 'user.uid is required');
      if (message.size < 0 || message.size > MAX_PREDICT_SIZE) {
        throw byteAirFailure(400, `size must be between 0 and ${MAX_PREDICT_SIZE}; got ${message.size}`);
      }
      const size = message.size || DEFAULT_PREDICT_SIZE;
      const candidates = message.candidateItems.map((c) => c.id).filter((id) => id !== '');
      const written = candidates.length > 0 ? candidates : repo.poolIds(app);
      const pool = written.length > 0 ? written : syntheticPool(syntheticPoolSize);
      const excluded = repo.shownIds(app, uid);
      for (const item of message.filterItems) excluded.add(item.id);
      const ranked = rankForUser(
        pool.filter((id) => !excluded.has(id)),
        { seed, app, uid },
      );
      const chosen = ranked.slice(0, size);
      const requestId = randomUUID();
      repo.insertPredict({
        requestId,
        headerRequestId: req.header(BYTEAIR_HEADERS.requestId) ?? null,
        tenantId,
        app,
        scene,
        uid,
        items: chosen,
        createdAt: ctx.clock.now(),
      });
      const response = PredictResponse.fromPartial({
        ...BYTEAIR_OK,
        requestId,
        value: { items: chosen.map((id, i) => ({ id, rank: i + 1 })), totalCount: ranked.length },
      });
      return protobufReply(encodeMessage(PredictResponse, response));
    },

    async callback(req: EmulatorRequest) {
      const { app } = req.params as { app: string };
      const { tenantId } = await authenticate(req, app);
      const message = decode(CallbackRequest, await readBody(req));
      if (message.uid === '') throw byteAirFailure(400, 'uid is required');
      if (message.scene === '') throw byteAirFailure(400, 'scene is required');
      if (message.items.length === 0) throw byteAirFailure(400, 'items must not be empty');
      const items = message.items.map((item, i): StoredCallbackItem => {
        if (item.id === '') throw byteAirFailure(400, `items[${i}].id is required`);
        const reason = parseReason(item.extra, `items[${i}].extra`);
        return {
          id: item.id,
          pos: item.pos,
          ...(reason !== undefined && { reason }),
          shown: !NOT_SHOWN_REASONS.has(reason ?? ''),
        };
      });
      const spm = message.context?.spm ?? '';
      if (req.header(BYTEAIR_HEADERS.enableSpmRoute)?.toLowerCase() === 'true' && spm === '') {
        throw byteAirFailure(400, 'context.spm is required when Enable-Spm-Route is true');
      }
      const requestId = req.header(BYTEAIR_HEADERS.requestId);
      // Without predict_request_id the service finds the predict call through the callback's Request-Id.
      const predictRequestId = message.predictRequestId || requestId;
      const now = ctx.clock.now();
      repo.transaction(() => {
        claim(tenantId, req, 'callback');
        const predict = predictRequestId === undefined ? undefined : repo.findPredict(tenantId, predictRequestId);
        const linkedId = predict?.requestId ?? message.predictRequestId;
        repo.insertCallback({
          tenantId,
          requestId,
          app,
          scene: message.scene,
          uid: message.uid,
          predictRequestId: linkedId || undefined,
          items,
          spm: spm || undefined,
          unknownPredict: predict === undefined,
          duplicate: linkedId ? repo.countCallbacks(tenantId, linkedId) > 0 : false,
          createdAt: now,
        });
        repo.markShown(
          app,
          message.uid,
          items.filter((item) => item.shown).map((item) => item.id),
          now,
        );
      });
      return callbackOk();
    },

    async write(req: EmulatorRequest) {
      const { app, topic } = req.params as { app: string; topic: string };
      const method = req.query.get('method');
      const expected = BYTEAIR_ENDPOINTS.writeData.query.method;
      if (method !== expected) {
        throw byteAirFailure(400, `query parameter method must be "${expected}"; got ${JSON.stringify(method)}`);
      }
      const { tenantId } = await authenticate(req, app);
      const { contentDate, contentEnd } = dataDayHeaders(req);
      const rows = await readJson(req);
      if (!Array.isArray(rows)) throw byteAirFailure(400, 'body must be a JSON array of rows');
      if (rows.length > BYTEAIR_LIMITS.writeDataMaxItems) {
        throw byteAirFailure(
          400,
          `body must hold at most ${BYTEAIR_LIMITS.writeDataMaxItems} rows; got ${rows.length}`,
        );
      }
      const errors: DataError[] = [];
      const now = ctx.clock.now();
      repo.transaction(() => {
        claim(tenantId, req, `write:${topic}`);
        rows.forEach((row: unknown, i) => {
          const json = storedJson(row);
          const problem = json === undefined ? TOO_DEEP : rowProblem(row, topic);
          if (problem !== undefined) {
            errors.push({ message: `[${i}]: ${problem}`, data: json ?? TOO_DEEP, success: false });
          } else if (topic === ITEM_TOPIC) {
            repo.upsertItem(app, itemId(row as Record<string, unknown>) as string, json!, now);
          } else {
            repo.insertRecord(app, topic, json!, now);
          }
        });
        const refused = errors.length;
        repo.insertWrite({ tenantId, app, topic, contentDate, contentEnd, rows: rows.length, refused, createdAt: now });
      });
      const status =
        errors.length === 0
          ? BYTEAIR_OK
          : { code: 400, message: `${errors.length} of ${rows.length} rows were refused; see errors`, success: false };
      return protobufReply(encodeMessage(WriteResponse, { status, errors }));
    },

    async done(req: EmulatorRequest) {
      const { app } = req.params as { app: string };
      const topic = req.query.get('topic') ?? '';
      if (topic === '') throw byteAirFailure(400, 'query parameter topic is required');
      const { tenantId } = await authenticate(req, app);
      const body = (await readBody(req)).toString('utf8');
      // No body declares nothing in particular (older SDKs); a body must name the completed days.
      if (body.trim() !== '') {
        const problem = doneBodyProblem(await readJson(req));
        if (problem !== undefined) throw byteAirFailure(400, problem);
      }
      repo.transaction(() => {
        claim(tenantId, req, `done:${topic}`);
        repo.insertDone(app, topic, body.trim() === '' ? null : body, ctx.clock.now());
      });
      return protobufReply(encodeMessage(WriteResponse, { status: BYTEAIR_OK, errors: [] }));
    },
  };
}

/** `Content-Date` and `Content-End` of a write, checked: a malformed one refuses the whole write. */
function dataDayHeaders(req: EmulatorRequest): { contentDate?: string; contentEnd?: boolean } {
  const contentDate = req.header(BYTEAIR_HEADERS.contentDate);
  if (contentDate !== undefined && !isDataDay(contentDate)) {
    throw byteAirFailure(
      400,
      `header ${BYTEAIR_HEADERS.contentDate} must be a YYYY-MM-DD day; got ${JSON.stringify(contentDate)}`,
    );
  }
  const endHeader = req.header(BYTEAIR_HEADERS.contentEnd);
  const contentEnd = endHeader === undefined ? undefined : parseContentEnd(endHeader);
  if (endHeader !== undefined && contentEnd === undefined) {
    throw byteAirFailure(
      400,
      `header ${BYTEAIR_HEADERS.contentEnd} must be True or False; got ${JSON.stringify(endHeader)}`,
    );
  }
  return { contentDate, contentEnd };
}

/** The decoded body; a refused body keeps its status but speaks ByteAir's code. */
async function readBody(req: EmulatorRequest): Promise<Buffer> {
  try {
    return await req.body();
  } catch (error) {
    throw asByteAir(error);
  }
}

async function readJson(req: EmulatorRequest): Promise<unknown> {
  try {
    return await req.json();
  } catch (error) {
    throw asByteAir(error);
  }
}

function asByteAir(error: unknown): unknown {
  return error instanceof EmulatorError ? byteAirFailure(error.code, error.message) : error;
}

function decode<T>(type: MessageType<T>, bytes: Uint8Array): T {
  try {
    return decodeMessage(type, bytes);
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw byteAirFailure(400, `body: ${error.message}`);
    throw error;
  }
}

/**
 * The reason of a callback item: `extra` itself when it is a JSON string (`"filtered"`), its `reason` when it is an
 * object with a string `reason` (`{"reason":"kept"}`), else undefined.
 *
 * @throws EmulatorError (code 400 naming `path`) when `extra` is neither empty nor JSON.
 */
/** Reasons of callback items that were not shown: ours (`filtered`) and the vendor's example's (`filter`). */
const NOT_SHOWN_REASONS = new Set(['filtered', 'filter']);

function parseReason(extra: string, path: string): string | undefined {
  const problem = callbackExtraProblem(extra);
  if (problem !== undefined) throw byteAirFailure(400, `${path}: ${problem}`);
  if (extra === '') return undefined;
  const parsed: unknown = JSON.parse(extra);
  if (typeof parsed === 'string') return parsed;
  const reason = typeof parsed === 'object' && parsed !== null ? (parsed as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

function itemId(row: Record<string, unknown>): string | undefined {
  const id = row.id ?? row.item_id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

const TOO_DEEP = 'a row nested too deeply to store';

/**
 * A row as stored, or undefined when it cannot be serialised: JSON.parse takes nesting that JSON.stringify's
 * recursion cannot give back (thousands of levels).
 */
function storedJson(row: unknown): string | undefined {
  try {
    return JSON.stringify(row) ?? 'null';
  } catch {
    return undefined;
  }
}

function rowProblem(row: unknown, topic: string): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'a row must be a JSON object';
  if (topic === ITEM_TOPIC && itemId(row as Record<string, unknown>) === undefined) {
    return 'an item row needs an id (non-empty string or number) in "id" or "item_id"';
  }
  return undefined;
}
