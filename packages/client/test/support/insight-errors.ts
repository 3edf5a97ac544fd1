import { formatInsightMessage, INSIGHT_ERRORS, type InsightErrorCode } from '@insight/protocol';
import { ApiError } from '../../src/core/errors.js';

/** The {@link ApiError} the client raises for an answer of the service carrying the documented `code`. */
export function insightApiError(code: InsightErrorCode): ApiError {
  const entry = INSIGHT_ERRORS[code];
  return new ApiError(formatInsightMessage(code, ''), {
    status: entry.httpStatus,
    code,
    errorClass: entry.errorClass,
    retryable: entry.retryable,
  });
}
