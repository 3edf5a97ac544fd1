import { type FileHandle, open } from 'node:fs/promises';
import { type CliError, EXIT_CODES, fileError } from './errors.js';

/** Queued text is written once it reaches this size, and on every flush. */
const WRITE_CHUNK_CHARS = 256 * 1024;

/** A file written line by line: lines are queued and appended in order, and every failure names the file. */
export interface OutputFile {
  /** The file's path, as given. */
  readonly path: string;
  /** The file's length in bytes once every queued line is written. */
  readonly bytes: number;
  /**
   * Queues one line (the newline is added). Returns a promise, to be awaited, when the queue was full and is being
   * written; after a failure, throws it.
   */
  write(line: string): Promise<void> | undefined;
  /** Writes every queued line; with `sync`, also makes them durable (a no-op on pipes and devices). */
  flush(options?: { sync?: boolean }): Promise<void>;
  /** Writes every queued line and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens `path` for appending (or, with `truncate`, emptied first). A file that cannot be opened is a usage error, as
 * an unreadable input is (exit 2); a failed write (a full disk) ends the command with exit 1.
 */
export async function openOutputFile(path: string, options: { truncate?: boolean } = {}): Promise<OutputFile> {
  let handle: FileHandle;
  let bytes: number;
  try {
    handle = await open(path, options.truncate ? 'w' : 'a');
  } catch (error) {
    throw fileError('open', `${path} for writing`, error, EXIT_CODES.USAGE);
  }
  try {
    const stat = await handle.stat();
    bytes = stat.isFile() ? stat.size : 0;
  } catch (error) {
    await handle.close();
    throw fileError('open', `${path} for writing`, error, EXIT_CODES.USAGE);
  }

  let queued: string[] = [];
  let queuedChars = 0;
  let failure: CliError | undefined;
  let closed = false;
  // Chunks are appended one after the other, in the order they were queued.
  let writing: Promise<void> = Promise.resolve();

  const fail = (error: unknown): never => {
    failure ??= fileError('write', path, error, EXIT_CODES.FAILURE);
    throw failure;
  };
  const writeQueued = (): Promise<void> => {
    if (queued.length > 0) {
      const text = queued.join('');
      queued = [];
      queuedChars = 0;
      writing = writing.then(() => (failure ? Promise.reject(failure) : handle.appendFile(text).catch(fail)));
      // The failure is kept and reported by the next call; an unobserved rejection must not end the process.
      writing.catch(() => undefined);
    }
    return writing;
  };

  return {
    path,
    get bytes() {
      return bytes;
    },
    write(line) {
      if (failure) throw failure;
      const text = `${line}\n`;
      queued.push(text);
      queuedChars += text.length;
      bytes += Buffer.byteLength(text);
      return queuedChars >= WRITE_CHUNK_CHARS ? writeQueued() : undefined;
    },
    async flush({ sync = false } = {}) {
      await writeQueued();
      if (!sync) return;
      try {
        await handle.sync();
      } catch (error) {
        // Pipes and character devices (`-o /dev/stdout`) cannot be synced, and need not be.
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') fail(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await writeQueued();
      } finally {
        await handle.close();
      }
    },
  };
}
