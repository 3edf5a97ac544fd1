import { CliError, EXIT_CODES, type ExitCode } from './errors.js';

/** A failure as the command reports it: one line, an exit code, and the service's details when there are some. */
export interface ErrorReport {
  /** The one line printed on stderr. */
  readonly message: string;
  /** The process exit code. */
  readonly exitCode: ExitCode;
  /** The error's class, e.g. `ApiError`, `ConnectionError`. */
  readonly type: string;
  /** The HTTP status of the service's answer. */
  readonly status?: number;
  /** The service's own error code (ByteAir body code, Content Insight bracketed code). */
  readonly code?: number | string;
  /** The request id of the failed call, to quote to the vendor. */
  readonly requestId?: string;
}

/**
 * Turns any error a command throws into its report. The client and rule error classes are loaded only here, when
 * something failed, so that commands that never touch them do not pay for loading them.
 */
export async function classifyError(error: unknown): Promise<ErrorReport> {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode, type: 'CliError' };
  if (!(error instanceof Error)) return { message: String(error), exitCode: EXIT_CODES.FAILURE, type: typeof error };
  const client = await import('@insight/client');
  const { RuleValidationError } = await import('@insight/rules');
  const base = { type: error.name };
  if (error instanceof client.InsightError) {
    const requestId = error.requestId === undefined ? {} : { requestId: error.requestId };
    const suffix = error.requestId === undefined ? '' : ` (request id ${error.requestId})`;
    if (error instanceof client.BacktrackTaskFailedError) {
      // Its message carries the reason, when the service's answer gives one.
      return { ...base, message: error.message, exitCode: EXIT_CODES.API };
    }
    if (error instanceof client.UserAbortError) {
      return { ...base, ...requestId, message: 'interrupted', exitCode: EXIT_CODES.INTERRUPTED };
    }
    if (error instanceof client.ConnectionError) {
      return {
        ...base,
        ...requestId,
        ...(error.code === undefined ? {} : { code: error.code }),
        message: `cannot reach the service: ${error.message}${suffix}`,
        exitCode: EXIT_CODES.CONNECTION,
      };
    }
    if (error instanceof client.ApiError) {
      return {
        ...base,
        ...requestId,
        status: error.status,
        ...(error.code === undefined ? {} : { code: error.code }),
        message: `the service refused the call: ${error.message}${suffix}`,
        exitCode: EXIT_CODES.API,
      };
    }
    if (error instanceof client.ResponseValidationError) {
      return {
        ...base,
        ...requestId,
        status: error.status,
        message: `unexpected answer from the service: ${error.message}${suffix}`,
        exitCode: EXIT_CODES.API,
      };
    }
    if (error instanceof client.RequestValidationError) {
      return { ...base, message: error.message, exitCode: EXIT_CODES.INVALID_INPUT };
    }
  }
  if (error instanceof RuleValidationError)
    return { ...base, message: error.message, exitCode: EXIT_CODES.INVALID_INPUT };
  return { ...base, message: error.message, exitCode: EXIT_CODES.FAILURE };
}
