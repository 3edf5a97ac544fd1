/**
 * `@insight/client`: production clients for Volcengine ByteAir and Content Insight.
 *
 * @packageDocumentation
 */
export {
  BYTEAIR_DEFAULT_TIMEOUT_MS,
  type ByteAirAuth,
  type ByteAirClient,
  type ByteAirClientOptions,
  createByteAirClient,
  DEFAULT_SCENE,
} from './byteair/client.js';
export type {
  ByteAirCallOptions,
  DataDate,
  DoneOptions,
  MessageInit,
  PredictOptions,
  WriteDataOptions,
} from './byteair/types.js';
export { buildCallbackItems, type Delivery } from './byteair/delivery.js';
export {
  type CallbackQueue,
  CallbackQueueError,
  type CallbackQueueOptions,
  type CallbackQueueStats,
  DEFAULT_QUEUE_CAPACITY,
  DEFAULT_QUEUE_CONCURRENCY,
} from './byteair/callback-queue.js';
export { MAX_WRITE_ITEMS } from './byteair/validation.js';
export {
  ApiError,
  CLIENT_CLOSED_CODE,
  ConnectionError,
  InsightError,
  type InsightErrorInit,
  isBizError,
  isNetError,
  RequestValidationError,
  ResponseValidationError,
  TimeoutError,
  UserAbortError,
  type ValidationIssue,
} from './core/errors.js';
export type { CallOptions, SharedClientOptions } from './core/transport.js';
export { type AttemptInfo, type Logger, REDACTED } from './core/logging.js';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './core/retry-budget.js';
export type { BackoffOptions } from './core/backoff.js';
export {
  type BacktrackCreateParams,
  type BacktrackPreviewParams,
  createInsightClient,
  type InsightClient,
  type InsightClientOptions,
  PACING_WINDOW_MS,
  type RealtimeCreateParams,
  type RealtimeUpdateParams,
  type SearchParams,
} from './insight/client.js';
export { BacktrackTaskFailedError, type WaitUntilFinishedOptions } from './insight/wait.js';
export {
  type BacktrackStreamOptions,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  type InsightDelivery,
  type RealtimeStreamOptions,
  type StreamSettings,
} from './insight/streams.js';
export {
  backtrackCheckpointKey,
  type ConsumeBacktrackOptions,
  type ConsumeProgress,
  type ConsumeResult,
  DEFAULT_CHECKPOINT_FILE,
  type DeliverySink,
} from './insight/consume.js';
export {
  type CheckpointStore,
  type FileCheckpointStore,
  type CollectorOffsets,
  createFileCheckpointStore,
  createMemoryCheckpointStore,
} from './insight/checkpoint-store.js';
export type { InsightTimeInput } from './insight/validation.js';
export type { ReconnectOptions } from './insight/collector-stream.js';
export type { RateLimit } from './insight/pacer.js';
export type { CurrentToken } from './insight/token-manager.js';
export {
  createSseParser,
  type SseComment,
  type SseEvent,
  type SseMessage,
  type SseParser,
} from './insight/sse-parser.js';
