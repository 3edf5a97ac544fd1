/**
 * `@insight/protocol`: the wire formats both Insight clients and the emulator speak.
 *
 * @packageDocumentation
 */
export { signByteAirRequest } from './signing/sign.js';
export {
  DEFAULT_SKEW_SECONDS,
  type VerifiableRequest,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyByteAirRequest,
} from './signing/verify.js';
export { createNonce, signAirAuth } from './signing/air-auth.js';
export { AKSK_ALGORITHM, AKSK_DEFAULT_REGION, signAkSk } from './signing/ak-sk.js';
export type { ByteAirCredentials, SignInput } from './signing/types.js';
export { PayloadTooLargeError, ProtocolDecodeError } from './codec/errors.js';
export { type GunzipLimits, gunzipCapped, gzipBody, isGzip } from './codec/gzip.js';
export { BYTEAIR_MESSAGE_TYPES, decodeMessage, encodeMessage, type MessageType } from './codec/messages.js';
export {
  BYTEAIR_ERRORS,
  BYTEAIR_SUCCESS_CODES,
  type ByteAirErrorCode,
  byteAirError,
  classifyHttpStatus,
  type ErrorClass,
  type ErrorEntry,
  formatInsightMessage,
  INSIGHT_ERRORS,
  INSIGHT_SUCCESS_MESSAGE,
  INSIGHT_SUCCESS_STATUS,
  type InsightErrorCode,
  insightError,
  parseInsightMessage,
} from './errors/catalogue.js';
export {
  BYTEAIR_HEADERS,
  CONTENT_TYPES,
  CREDENTIAL_HEADER,
  INSIGHT_HEADERS,
  REDACTED,
  redactHeaders,
} from './http/headers.js';
export { BYTEAIR_LIMITS, INSIGHT_LIMITS } from './http/limits.js';
export {
  BYTEAIR_DEFAULT_SCENE,
  BYTEAIR_ENDPOINTS,
  type ByteAirEndpoint,
  type ByteAirEndpointName,
  type ByteAirTarget,
  byteAirPaths,
  INSIGHT_BASE_URL,
  INSIGHT_ENDPOINTS,
  INSIGHT_PATHS,
  type InsightEndpoint,
  type InsightEndpointName,
} from './http/paths.js';
export {
  CHINA_STANDARD_TIME_OFFSET_MINUTES,
  formatInsightTime,
  type InsightTimeOptions,
  insightTimeProblem,
  parseInsightTime,
} from './time/insight-time.js';
export {
  CONTENT_END,
  doneBodyProblem,
  formatDataDay,
  isDataDay,
  parseContentEnd,
  toPartitionDate,
} from './time/data-day.js';
export {
  InsightEnvelope,
  InsightRule,
  InsightTime,
  insightResponse,
  TaskId,
  TaskIdParam,
} from './insight/common.js';
export {
  AccessTokenData,
  BacktrackCreateRequest,
  BacktrackPreviewData,
  BacktrackPreviewRequest,
  BacktrackStreamQuery,
  BacktrackTaskInfo,
  BacktrackTaskRule,
  BacktrackTaskStatus,
  EnableStatus,
  QueryByIdData,
  QueryByIdQuery,
  RealtimeCreateRequest,
  RealtimeStreamQuery,
  RealtimeTaskRule,
  RealtimeTaskRules,
  RealtimeUpdateRequest,
  SearchData,
  SearchRequest,
  SensitiveWordsCheckData,
  SensitiveWordsCheckRequest,
  TaskCreatedData,
  TaskIdQuery,
} from './insight/endpoints.js';
export { DeletedItemDoc, ItemDoc, ItemFeature, LiveItemDoc, StreamEvent } from './insight/item-doc.js';
export { INSIGHT_SCHEMAS, type InsightEndpointSchemas } from './insight/schemas.js';
export { callbackExtraProblem } from './byteair/callback.js';
export {
  CallbackContext,
  CallbackItem,
  CallbackReqType,
  CallbackRequest,
  CallbackResponse,
  DataError,
  DoubleArray,
  FloatArray,
  IntArray,
  PredictCandidateItem,
  PredictContext,
  PredictDevice,
  PredictExtra,
  PredictFeature,
  PredictFilter,
  PredictFilterItem,
  PredictItem,
  PredictParentItem,
  PredictRelatedItem,
  PredictRequest,
  PredictResponse,
  PredictResult,
  PredictUser,
  SearchGoods,
  SearchInfo,
  StringArray,
  WriteResponse,
} from './gen/bytedance/volcengine/byteair/volcengine_byteair.js';
export { Status } from './gen/bytedance/volcengine/common/volcengine_common.js';
