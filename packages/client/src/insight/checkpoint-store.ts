/**
 * Checkpoint stores keep, per stream key (`backtrack:{taskId}`), the last offset of each collector that the consumer's
 * sink accepted. The service has no ack or commit call, so these offsets are the only record of progress.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The last accepted offset of each collector, by collector id. */
export type CollectorOffsets = Readonly<Record<string, number>>;

/** Where a consumer keeps its progress; implement it to keep checkpoints in a database or a key-value store. */
export interface CheckpointStore {
  /** The offsets saved under `key`, `{}` when none. */
  load(key: string): Promise<CollectorOffsets>;
  /** Replaces the offsets saved under `key`; resolves once they would survive a crash. */
  save(key: string, offsets: CollectorOffsets): Promise<void>;
}

/** A {@link CheckpointStore} in one file, which can also list the keys the file holds. */
export interface FileCheckpointStore extends CheckpointStore {
  /** Every key saved in the file, none when there is no file. */
  keys(): Promise<string[]>;
}

/** The file format version written by {@link createFileCheckpointStore}. */
const FILE_FORMAT_VERSION = 1;

/**
 * Creates a store that keeps every key in one JSON file. Each save writes a temporary file of its own, flushes it to
 * disk and renames it over the previous one, so that a crash leaves either the old or the new checkpoints, never a torn
 * file.
 *
 * Within one process, any number of stores and consumers may share a file: saves to a file run one at a time, and each
 * reads the file afresh and changes only its own key, so that no save undoes another's. Two processes must use
 * different files: the file is never torn, but a save may undo a save of the other process that raced it.
 */
export function createFileCheckpointStore(path: string): FileCheckpointStore {
  const file = resolve(path);
  return {
    async keys() {
      return Object.keys(await readCheckpointFile(file));
    },
    async load(key) {
      return { ...(await readCheckpointFile(file))[key] };
    },
    async save(key, offsets) {
      const copy = validateOffsets(offsets, `checkpoint "${key}"`);
      await runExclusively(file, async () => {
        const all = await readCheckpointFile(file);
        all[key] = copy;
        await writeAtomically(file, `${JSON.stringify({ version: FILE_FORMAT_VERSION, checkpoints: all })}\n`);
      });
    },
  };
}

/** The tail of the queue of saves of each checkpoint file of this process, by absolute path. */
const fileQueues = new Map<string, Promise<void>>();

/**
 * Runs `task` once every task queued before it on `file` has settled. Tasks queue in call order (everything up to the
 * first await runs synchronously), so that the last save asked for is the last one written.
 */
function runExclusively(file: string, task: () => Promise<void>): Promise<void> {
  const run = (fileQueues.get(file) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  fileQueues.set(file, tail);
  void tail.then(() => {
    if (fileQueues.get(file) === tail) fileQueues.delete(file);
  });
  return run;
}

/** Creates a store that keeps checkpoints in memory: for tests, and for consumers that only need in-process resume. */
export function createMemoryCheckpointStore(): CheckpointStore {
  const all = new Map<string, CollectorOffsets>();
  return {
    async load(key) {
      return { ...all.get(key) };
    },
    async save(key, offsets) {
      all.set(key, validateOffsets(offsets, `checkpoint "${key}"`));
    },
  };
}

async function readCheckpointFile(path: string): Promise<Record<string, CollectorOffsets>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`checkpoint file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed) || parsed.version !== FILE_FORMAT_VERSION || !isRecord(parsed.checkpoints)) {
    throw new Error(`checkpoint file ${path}: expected {"version": ${FILE_FORMAT_VERSION}, "checkpoints": {…}}`);
  }
  const all: Record<string, CollectorOffsets> = {};
  for (const [key, offsets] of Object.entries(parsed.checkpoints)) {
    all[key] = validateOffsets(offsets, `checkpoint file ${path}: checkpoints["${key}"]`);
  }
  return all;
}

function validateOffsets(offsets: unknown, where: string): CollectorOffsets {
  if (!isRecord(offsets)) throw new TypeError(`${where} must be an object of collector id → offset`);
  const copy: Record<string, number> = {};
  for (const [collector, offset] of Object.entries(offsets)) {
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
      throw new TypeError(`${where}["${collector}"] must be a non-negative integer, got ${JSON.stringify(offset)}`);
    }
    copy[collector] = offset as number;
  }
  return copy;
}

async function writeAtomically(path: string, contents: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  // A name no earlier run can have left behind (process ids repeat, in containers always).
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(contents, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable; platforms that cannot open a directory (Windows) skip this step. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
