/**
 * An error a handler throws to answer with a given HTTP status and service-level code. The route's error renderer
 * turns it into a body in the service's format (protobuf for ByteAir, the JSON envelope for Content Insight).
 */
export class EmulatorError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Service-level code carried in the body; the HTTP status unless given. */
  readonly code: number;

  constructor(status: number, message: string, options?: { code?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = 'EmulatorError';
    this.status = status;
    this.code = options?.code ?? status;
  }
}

/** Turns anything thrown by a handler into an {@link EmulatorError}; unknown failures become a 500. */
export function toEmulatorError(error: unknown): EmulatorError {
  if (error instanceof EmulatorError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new EmulatorError(500, `internal error: ${detail}`, { cause: error });
}
