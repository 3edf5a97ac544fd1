import type { CollectorOffsets, DeliverySink, InsightDelivery } from '@insight/client';
import type { OutputFile } from './output-file.js';

/** What an output file durably holds: its length, and the last offset of each collector written to it. */
export interface DurableOutput {
  readonly bytes: number;
  readonly offsets: CollectorOffsets;
}

/** A consumer sink writing one JSON line per delivery: `{collector, offset, msg_id, item_doc}`. */
export interface JsonlSink extends DeliverySink {
  /** Deliveries written so far. */
  readonly written: number;
  /** What the file held at the end of the last flush (at first, what it held when opened). */
  readonly durable: DurableOutput;
  /** Writes every accepted delivery and makes it durable before the consumer saves a checkpoint. */
  flush(): Promise<void>;
  /** Writes what is left and closes the file. */
  close(): Promise<void>;
}

/**
 * A sink over `file`, which already holds the deliveries up to `offsets`. `onWrite` sees each delivery once it is
 * queued (e.g. for a progress bar).
 */
export function createJsonlSink(
  file: OutputFile,
  offsets: CollectorOffsets,
  onWrite?: (delivery: InsightDelivery) => void,
): JsonlSink {
  const queued: Record<string, number> = { ...offsets };
  let durable: DurableOutput = { bytes: file.bytes, offsets: { ...offsets } };
  let written = 0;

  return {
    get written() {
      return written;
    },
    get durable() {
      return durable;
    },
    write(delivery) {
      const line = JSON.stringify({
        collector: delivery.collector,
        offset: delivery.offset,
        msg_id: delivery.msgId,
        item_doc: delivery.doc,
      });
      const pending = file.write(line);
      queued[delivery.collector] = delivery.offset;
      written++;
      onWrite?.(delivery);
      return pending;
    },
    async flush() {
      // What is queued now is what this flush makes durable: the offsets and the length are taken together.
      const state: DurableOutput = { bytes: file.bytes, offsets: { ...queued } };
      await file.flush({ sync: true });
      // Two flushes at once may finish in either order; the later state wins.
      if (state.bytes >= durable.bytes) durable = state;
    },
    close: () => file.close(),
  };
}
