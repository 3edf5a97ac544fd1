/**
 * Process exit codes of the `insight` command. Scripts may rely on them; they are listed in the README and in
 * `insight --help`.
 */
export const EXIT_CODES = {
  /** The command did what it was asked. */
  OK: 0,
  /** The command ran but its outcome is a failure (a demo step failed, a rule test did not pass). */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing argument, missing configuration. */
  USAGE: 2,
  /** The input is invalid: a rule that breaks the language, a malformed file or JSON. */
  INVALID_INPUT: 3,
  /** The service answered with an error: bad credentials, unknown task, invalid parameter, quota. */
  API: 4,
  /** The service could not be reached, or did not answer in time. */
  CONNECTION: 5,
  /** Interrupted by SIGINT or SIGTERM. */
  INTERRUPTED: 130,
} as const;

/** One of the {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error the command reports as one line on stderr, ending the process with {@link CliError.exitCode}. */
export class CliError extends Error {
  /** The process exit code this error ends the command with. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A wrong command line (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_CODES.USAGE);
}

/** Invalid input data (exit code 3). */
export function invalidInput(message: string, cause?: unknown): CliError {
  return new CliError(message, EXIT_CODES.INVALID_INPUT, { cause });
}

/**
 * A file that cannot be opened, read or written: `cannot <action> <path>: ENOSPC (no space left on device)`, with the
 * system's error code and its description.
 */
export function fileError(action: string, path: string, error: unknown, exitCode: ExitCode): CliError {
  const { code, message } = error as NodeJS.ErrnoException;
  // Node words a system error `ENOSPC: no space left on device, write`: keep the description, drop the call.
  const description = code === undefined ? undefined : /^[A-Z0-9_]+: ([^,]+)/.exec(message ?? '')?.[1];
  const reason = code === undefined ? String(message ?? error) : description ? `${code} (${description})` : code;
  return new CliError(`cannot ${action} ${path}: ${reason}`, exitCode, { cause: error });
}
