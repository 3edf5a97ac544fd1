import {
  byteAirError,
  CallbackResponse,
  encodeMessage,
  PredictResponse,
  PredictResult,
  WriteResponse,
} from '@insight/protocol';
import { EmulatorError } from '../core/errors.js';
import { protobufReply, type Reply } from '../core/http.js';
import type { ErrorRenderer } from '../core/router.js';

/** Body code and message of a successful ByteAir call. */
export const BYTEAIR_OK = { code: 0, message: 'OK', success: true } as const;

/**
 * A ByteAir failure with body `code`, sent with the HTTP status the protocol's error catalogue gives the code
 * (body-level outcomes such as 400 and 409 travel with HTTP 200, as the real service does).
 */
export function byteAirFailure(code: number, message: string): EmulatorError {
  const status = byteAirError(code)?.httpStatus ?? (code >= 200 && code <= 599 ? code : 500);
  return new EmulatorError(status, message, { code });
}

/** Renders errors of predict routes as a `PredictResponse`. */
export const renderPredictError: ErrorRenderer = (error, req) =>
  protobufReply(
    encodeMessage(
      PredictResponse,
      PredictResponse.fromPartial({
        code: error.code,
        message: error.message,
        success: false,
        requestId: req.id,
        value: PredictResult.fromPartial({}),
      }),
    ),
    error.status,
  );

/** Renders errors of the callback route as a `CallbackResponse`. */
export const renderCallbackError: ErrorRenderer = (error) =>
  protobufReply(
    encodeMessage(CallbackResponse, { code: error.code, message: error.message, success: false }),
    error.status,
  );

/** Renders errors of data routes as a `WriteResponse` whose `status` says why. */
export const renderWriteError: ErrorRenderer = (error) =>
  protobufReply(
    encodeMessage(WriteResponse, { status: { code: error.code, message: error.message, success: false }, errors: [] }),
    error.status,
  );

/** A successful `CallbackResponse`. */
export function callbackOk(): Reply {
  return protobufReply(encodeMessage(CallbackResponse, { ...BYTEAIR_OK }));
}
