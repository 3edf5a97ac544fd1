/**
 * `@insight/protocol`: the wire formats both Insight clients and the emulator speak.
 *
 * @packageDocumentation
 */
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
