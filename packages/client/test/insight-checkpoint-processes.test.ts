import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../src/insight/checkpoint-store.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SAVER = fileURLToPath(new URL('./fixtures/save-checkpoint.ts', import.meta.url));
/** A child compiles the sources with tsx at startup: slow on a busy machine. */
const CHILD_TIMEOUT_MS = 60_000;

/** Runs a child process that saves `count` checkpoints under `key` in `path`, offsets 0…count-1. */
async function saveInChild(path: string, key: string, count: number): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, SAVER, path, key, String(count)], {
    timeout: CHILD_TIMEOUT_MS,
  });
  expect(stdout).toBe('DONE\n');
}

describe('createFileCheckpointStore across processes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'insight-checkpoints-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a key another process saved between two saves of this one', { timeout: CHILD_TIMEOUT_MS }, async () => {
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path);
    await store.save('backtrack:1', { '0': 1 });
    await saveInChild(path, 'backtrack:2', 1);
    await store.save('backtrack:1', { '0': 2 });
    expect(JSON.parse(await readFile(path, 'utf8')).checkpoints).toEqual({
      'backtrack:1': { '0': 2 },
      'backtrack:2': { '0': 0 },
    });
  });

  it('never leaves a torn file or a temporary file when two processes save at once', {
    timeout: CHILD_TIMEOUT_MS,
  }, async () => {
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path);
    const saves = 200;
    // The parent saves for as long as the child runs, so that their saves overlap.
    const child = saveInChild(path, 'backtrack:2', saves);
    let childDone = false;
    void child.finally(() => {
      childDone = true;
    });
    let parentSaves = 0;
    while (!childDone) await store.save('backtrack:1', { '0': parentSaves++ });
    await child;
    // Whatever the interleaving, the file parses, and a save after the race is what it holds for its key.
    const read = async () =>
      (JSON.parse(await readFile(path, 'utf8')) as { checkpoints: Record<string, Record<string, number>> }).checkpoints;
    expect(Object.keys(await read()).length).toBeGreaterThan(0);
    await store.save('backtrack:1', { '0': parentSaves });
    expect((await read())['backtrack:1']).toEqual({ '0': parentSaves });
    expect(await readdir(dir)).toEqual(['cp.json']);
  });
});
