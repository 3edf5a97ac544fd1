import { stat, truncate } from 'node:fs/promises';
import {
  backtrackCheckpointKey,
  type CheckpointStore,
  createFileCheckpointStore,
  type InsightDelivery,
} from '@insight/client';
import { EXIT_CODES, fileError, usageError } from './errors.js';
import { formatCount } from './format.js';
import { createJsonlSink, type JsonlSink } from './jsonl-sink.js';
import { openOutputFile } from './output-file.js';

/**
 * The entry of a checkpoint that records the output's length in bytes. Collector ids are digits, so it never clashes
 * with one.
 */
const OUTPUT_BYTES = 'output_bytes';

/** The task a consumer drains, and the service and account it belongs to: task ids repeat across both. */
export interface ConsumeTarget {
  readonly taskId: number;
  readonly baseUrl: string;
  readonly bizName: string;
}

/** An output file and the checkpoints that say what it holds. */
export interface ConsumeOutput {
  /** Writes the deliveries to the output. */
  readonly sink: JsonlSink;
  /** The checkpoints of this one task, for `consumeBacktrack`. */
  readonly checkpoints: CheckpointStore;
  /** Bytes cut from the end of the output: written after the last checkpoint (or torn by a crash), fetched again. */
  readonly dropped: number;
}

/**
 * Opens the output of a consumer and its checkpoint. A checkpoint records, with the offset of each collector, the
 * length of the output at that point, and is saved only once the output is synced to disk: resuming cuts whatever was
 * written after it (lines a stop or a crash left beyond the checkpoint, a torn last line), so that the output holds
 * each delivery once. The checkpoint's key names the service and account (the client's `backtrackCheckpointKey`).
 *
 * Refused as usage errors: a checkpoint file holding this task for another account or service, an output that holds
 * data no checkpoint accounts for, and an output shorter than its checkpoint says.
 */
export async function openConsumeOutput(options: {
  readonly output: string;
  readonly checkpoints: string;
  readonly target: ConsumeTarget;
  readonly onWrite?: (delivery: InsightDelivery) => void;
}): Promise<ConsumeOutput> {
  const { output, target } = options;
  const checkpointFile = options.checkpoints;
  const key = backtrackCheckpointKey(target.taskId, target);
  const account = key.slice(key.indexOf(' ') + 1);
  const store = createFileCheckpointStore(checkpointFile);
  const { [OUTPUT_BYTES]: recorded, ...offsets } = await checkpointFileStep(checkpointFile, 'read', () =>
    store.load(key),
  );
  const size = await regularFileSize(output);
  let dropped = 0;
  if (recorded === undefined) {
    const stream = `backtrack:${target.taskId}`;
    const other = (await checkpointFileStep(checkpointFile, 'read', () => store.keys())).find(
      (saved) => saved.split(' ')[0] === stream,
    );
    if (other === stream) {
      throw usageError(
        `${checkpointFile} holds a checkpoint of task ${target.taskId} from an earlier version, which recorded neither the account nor the output's length: delete both files to start over, or consume into another --output`,
      );
    }
    if (other !== undefined) {
      const owner = other.slice(other.indexOf(' ') + 1);
      throw usageError(
        `${checkpointFile} holds the checkpoint of task ${target.taskId} for ${owner}, not for ${account}: consume into another --output (or --checkpoints), or delete both files to start over`,
      );
    }
    if (size !== undefined && size > 0) {
      throw usageError(
        `${output} already holds ${formatCount(size)} bytes that no checkpoint of task ${target.taskId} for ${account} in ${checkpointFile} accounts for: consume into another --output, or delete it to start over`,
      );
    }
  } else if (size !== undefined) {
    if (size < recorded) {
      throw usageError(
        `${output} holds ${formatCount(size)} bytes, fewer than the ${formatCount(recorded)} its checkpoint in ${checkpointFile} records: it changed after that run; delete both files to start over`,
      );
    }
    if (size > recorded) {
      try {
        await truncate(output, recorded);
      } catch (error) {
        throw fileError('truncate', output, error, EXIT_CODES.FAILURE);
      }
      dropped = size - recorded;
    }
  }

  const file = await openOutputFile(output);
  const sink = createJsonlSink(file, offsets, options.onWrite);
  // The consumer's own offsets never run ahead of what the sink made durable: the checkpoint records the sink's.
  const save = () =>
    checkpointFileStep(checkpointFile, 'write', () =>
      store.save(key, { ...sink.durable.offsets, [OUTPUT_BYTES]: sink.durable.bytes }),
    );
  if (recorded === undefined) {
    // Claimed before the first line is written: a crash before the first checkpoint resumes instead of refusing.
    try {
      await save();
    } catch (error) {
      await file.close();
      throw error;
    }
  }
  return { sink, dropped, checkpoints: { load: async () => ({ ...offsets }), save } };
}

/**
 * Runs a step on the checkpoint file, naming the file in its failure: one it cannot read or write (a directory, no
 * permission) is a usage error; so is one that holds something other than checkpoints.
 */
async function checkpointFileStep<T>(path: string, verb: 'read' | 'write', step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== undefined) throw fileError(verb, path, error, EXIT_CODES.USAGE);
    // The store's own errors (a malformed file) name the file already.
    throw usageError((error as Error).message);
  }
}

/** The length of a regular file, 0 when there is none, `undefined` for a pipe or a device (`/dev/stdout`). */
async function regularFileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw fileError('read', path, error, EXIT_CODES.USAGE);
  }
}
