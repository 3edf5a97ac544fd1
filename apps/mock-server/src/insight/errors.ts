import { formatInsightMessage, INSIGHT_ERRORS, type InsightErrorCode, parseInsightMessage } from '@insight/protocol';
import { EmulatorError } from '../core/errors.js';
import { jsonReply, type Reply } from '../core/http.js';

/** An error answered with a documented Content Insight code, its HTTP status and `[code]message: detail`. */
export function insightFailure(code: InsightErrorCode, detail?: string): EmulatorError {
  return new EmulatorError(INSIGHT_ERRORS[code].httpStatus, formatInsightMessage(code, detail), { code });
}

/** `[40004]invalid param: <path>: <rule broken>`. */
export function invalidParam(path: string, problem: string): EmulatorError {
  return insightFailure(40004, `${path}: ${problem}`);
}

/**
 * Renders any error of an Insight route in the service's envelope. Errors raised outside the module (a body that is
 * not JSON or too large, an injected fault) carry a bare HTTP status: a 4xx becomes `[40004]invalid param` with the
 * detail, a 5xx `[10000]internal error`, so that a client always meets a documented code.
 */
export function renderInsightError(error: EmulatorError): Reply {
  const bracketed = parseInsightMessage(error.message);
  if (bracketed !== undefined && Object.hasOwn(INSIGHT_ERRORS, bracketed.code)) {
    const entry = INSIGHT_ERRORS[bracketed.code as InsightErrorCode];
    return jsonReply({ status: entry.code, message: error.message }, entry.httpStatus);
  }
  if (Object.hasOwn(INSIGHT_ERRORS, error.code)) {
    const code = error.code as InsightErrorCode;
    return jsonReply(
      { status: code, message: formatInsightMessage(code, error.message) },
      INSIGHT_ERRORS[code].httpStatus,
    );
  }
  const code: InsightErrorCode = error.status >= 500 ? 10000 : 40004;
  return jsonReply(
    { status: code, message: formatInsightMessage(code, error.message) },
    INSIGHT_ERRORS[code].httpStatus,
  );
}

/** The success envelope. */
export function succeed(data: unknown): Reply {
  return jsonReply({ status: 0, message: 'succeed', data });
}
