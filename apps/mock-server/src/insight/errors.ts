import {
  formatInsightMessage,
  INSIGHT_ERRORS,
  INSIGHT_SUCCESS_MESSAGE,
  INSIGHT_SUCCESS_STATUS,
  type InsightErrorCode,
  parseInsightMessage,
} from '@insight/protocol';
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
 * The documented code of an error that carries a bare HTTP status (raised outside the module: a body that is not JSON
 * or too large, an injected fault): 401 `[40001]unauthorized`, 403 `[40002]forbidden ip address`, 429 `[40006]reached
 * qps limit` and a 5xx `[10000]internal error` keep their status, so that a client handles them as it would the
 * service's own (refresh the token, slow down, retry); any other status answers HTTP 400 `[40004]invalid param`.
 */
function codeOfStatus(status: number): { code: InsightErrorCode; httpStatus: number } {
  if (status === 401) return { code: 40001, httpStatus: status };
  if (status === 403) return { code: 40002, httpStatus: status };
  if (status === 429) return { code: 40006, httpStatus: status };
  if (status >= 500 && status <= 599) return { code: 10000, httpStatus: status };
  return { code: 40004, httpStatus: INSIGHT_ERRORS[40004].httpStatus };
}

/**
 * Renders any error of an Insight route in the service's envelope: an error with a documented code bracketed in its
 * message answers that code's HTTP status, one with a documented `code` its own status (an injected fault may ask for
 * another than the code's); one with a bare HTTP status answers the code that status
 * stands for (see {@link codeOfStatus}), so that a client always meets a documented code.
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
      // The status the error carries: the code's own for the module's errors, the one a fault rule asks for.
      error.status,
    );
  }
  const { code, httpStatus } = codeOfStatus(error.status);
  return jsonReply({ status: code, message: formatInsightMessage(code, error.message) }, httpStatus);
}

/** The success envelope. */
export function succeed(data: unknown): Reply {
  return jsonReply({ status: INSIGHT_SUCCESS_STATUS, message: INSIGHT_SUCCESS_MESSAGE, data });
}
