/** A body over a size cap; the emulator answers it with 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';

  constructor(
    /** Which cap was hit: the body as received, or the body after gunzip. */
    readonly limit: 'compressed' | 'decompressed',
    /** The cap, in bytes. */
    readonly maxBytes: number,
  ) {
    super(`${limit} body exceeds ${maxBytes} bytes`);
  }
}

/** Bytes that are not a valid encoding of what the caller expected. */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';

  constructor(
    /** What could not be decoded: a message type such as `PredictRequest`, or `gzip`. */
    readonly format: string,
    cause: unknown,
  ) {
    super(`invalid ${format}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
