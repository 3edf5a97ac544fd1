import { createWriteStream } from 'node:fs';
import type { DeliverySink, InsightDelivery } from '@insight/client';

/** A consumer sink writing one JSON line per delivery: `{collector, offset, msg_id, item_doc}`. */
export interface JsonlSink extends DeliverySink {
  /** Deliveries written so far. */
  readonly written: number;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens `path` for appending deliveries, so that a consumer resumed from its checkpoints adds to what an earlier run
 * wrote. `onWrite` sees each delivery once it is queued (e.g. for a progress bar).
 */
export function createJsonlSink(path: string, onWrite?: (delivery: InsightDelivery) => void): JsonlSink {
  const stream = createWriteStream(path, { flags: 'a' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  let written = 0;
  const settle = () => new Promise<void>((done, fail) => stream.write('', (error) => (error ? fail(error) : done())));
  // Collectors write concurrently: when the buffer is full they all wait for the same 'drain', not one listener each.
  let drained: Promise<void> | undefined;
  const waitForDrain = () => {
    drained ??= new Promise<void>((done) =>
      stream.once('drain', () => {
        drained = undefined;
        done();
      }),
    );
    return drained;
  };

  return {
    get written() {
      return written;
    },
    async write(delivery) {
      if (failure) throw failure;
      const line = JSON.stringify({
        collector: delivery.collector,
        offset: delivery.offset,
        msg_id: delivery.msgId,
        item_doc: delivery.doc,
      });
      written++;
      onWrite?.(delivery);
      if (!stream.write(`${line}\n`)) await waitForDrain();
    },
    // A checkpoint must never get ahead of the file: the consumer flushes before saving one.
    flush: settle,
    async close() {
      await settle();
      await new Promise<void>((done, fail) => stream.end((error?: Error | null) => (error ? fail(error) : done())));
    },
  };
}
