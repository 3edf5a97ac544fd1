/**
 * `@insight/mock-server`: a local emulator of Volcengine ByteAir and Content Insight, in-process for tests
 * (`createMockServer()`) or as a standalone server.
 *
 * @packageDocumentation
 */
export { type MockServer, createMockServer, VERSION_HEADER } from './server.js';
export {
  type ByteAirTenant,
  DEFAULT_BODY_BYTES,
  DEFAULT_BYTEAIR_WINDOW_SECONDS,
  DEFAULT_DECODED_BODY_BYTES,
  DEFAULT_REQUEST_LOG_SIZE,
  DEFAULT_SEED,
  DEFAULT_SYNTHETIC_POOL_SIZE,
  DEFAULT_TENANT,
  type MockServerOptions,
  type ResolvedOptions,
} from './options.js';
export { type Clock, createManualClock, type ManualClock, SYSTEM_CLOCK } from './core/clock.js';
export { EMULATOR_VERSION } from './version.js';
export type { FaultRule, FaultRuleInput, FaultSet } from './core/faults.js';
export type { RequestFilter, RequestLog, RequestRecord } from './core/request-log.js';
export {
  type CorpusOptions,
  createInsightModule,
  DEFAULT_CORPUS_SIZE,
  DEFAULT_FIREHOSE_RATE,
  DEFAULT_INSIGHT_ACCOUNT,
  DEFAULT_SENSITIVE_WORDS,
  generateCorpus,
  INSIGHT_MODULE,
  type InsightModuleOptions,
  type InsightPost,
  parseItemDocLines,
} from './insight/index.js';
export { BYTEAIR_MODULE, createByteAirModule, DEFAULT_PREDICT_SIZE, MAX_PREDICT_SIZE } from './byteair/module.js';
export type { EmulatorContext, EmulatorModule } from './core/module.js';
export type { ErrorRenderer, Handler, RouteOptions, Router } from './core/router.js';
export {
  type BodyReply,
  type EmulatorRequest,
  jsonReply,
  protobufReply,
  type Reply,
  type StreamReply,
  type StreamSink,
  streamReply,
  textReply,
} from './core/http.js';
export { EmulatorError } from './core/errors.js';
export { createRandom, stableScore } from './core/random.js';
export { DATABASE_FILE, type Migration, type Store } from './store/store.js';
