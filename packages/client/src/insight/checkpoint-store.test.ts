import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCheckpointStore, createMemoryCheckpointStore } from './checkpoint-store.js';

describe('createFileCheckpointStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'insight-checkpoints-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns {} for a key never saved, including when the file does not exist', async () => {
    const store = createFileCheckpointStore(join(dir, 'nested', 'cp.json'));
    expect(await store.load('backtrack:1')).toEqual({});
  });

  it('keeps keys apart and survives a new store instance (a restarted process)', async () => {
    const path = join(dir, 'cp.json');
    const first = createFileCheckpointStore(path);
    await first.save('backtrack:1', { '0': 4, '1': 9 });
    await first.save('backtrack:2', { '3': 1 });
    await first.save('backtrack:1', { '0': 5, '1': 9 });
    const second = createFileCheckpointStore(path);
    expect((await second.keys()).sort()).toEqual(['backtrack:1', 'backtrack:2']);
    expect(await createFileCheckpointStore(join(dir, 'none.json')).keys()).toEqual([]);
    expect(await second.load('backtrack:1')).toEqual({ '0': 5, '1': 9 });
    expect(await second.load('backtrack:2')).toEqual({ '3': 1 });
    expect(await readdir(dir)).toEqual(['cp.json']);
  });

  it('saves beside the temporary files a crashed run left, whatever their names', async () => {
    const path = join(dir, 'cp.json');
    // What an earlier run of this process id could leave: temporary files it never renamed.
    const stale = [1, 2, 3].map((n) => `cp.json.${process.pid}.${n}.tmp`);
    for (const name of stale) await writeFile(join(dir, name), '{"torn');
    const store = createFileCheckpointStore(path);
    await store.save('backtrack:1', { '0': 1 });
    await store.save('backtrack:1', { '0': 2 });
    expect(await createFileCheckpointStore(path).load('backtrack:1')).toEqual({ '0': 2 });
    expect((await readdir(dir)).sort()).toEqual(['cp.json', ...stale].sort());
  });

  it('writes the last of many concurrent saves', async () => {
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save('k', { '0': i })));
    expect(await createFileCheckpointStore(path).load('k')).toEqual({ '0': 19 });
  });

  it('keeps the keys of two stores that share a file and save at the same time', async () => {
    const path = join(dir, 'cp.json');
    const first = createFileCheckpointStore(path);
    const second = createFileCheckpointStore(path);
    // Both stores read the file before either writes; each save must keep the other store's key.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        first.save('backtrack:1', { '0': i }),
        second.save('backtrack:2', { '0': i }),
      ]).flat(),
    );
    const reread = createFileCheckpointStore(path);
    expect(await reread.load('backtrack:1')).toEqual({ '0': 9 });
    expect(await reread.load('backtrack:2')).toEqual({ '0': 9 });
    expect(await first.load('backtrack:2')).toEqual({ '0': 9 });
    expect(await readdir(dir)).toEqual(['cp.json']);
  });

  it('sees what another store saved since it last read the file', async () => {
    const path = join(dir, 'cp.json');
    const first = createFileCheckpointStore(path);
    await first.save('backtrack:1', { '0': 1 });
    await createFileCheckpointStore(path).save('backtrack:2', { '5': 7 });
    await first.save('backtrack:1', { '0': 2 });
    expect(await first.load('backtrack:2')).toEqual({ '5': 7 });
    expect(JSON.parse(await readFile(path, 'utf8')).checkpoints).toEqual({
      'backtrack:1': { '0': 2 },
      'backtrack:2': { '5': 7 },
    });
  });

  it('rejects invalid offsets and a malformed file, naming the path', async () => {
    const path = join(dir, 'cp.json');
    const store = createFileCheckpointStore(path);
    await expect(store.save('k', { '2': -1 })).rejects.toThrow('checkpoint "k"["2"] must be a non-negative integer');
    await writeFile(path, '{"version":1,"checkpoints":{"k":{"0":"x"}}}');
    await expect(createFileCheckpointStore(path).load('k')).rejects.toThrow('checkpoints["k"]["0"]');
    await writeFile(path, 'not json');
    await expect(createFileCheckpointStore(path).load('k')).rejects.toThrow('is not valid JSON');
  });

  it('does not let a caller mutate what was saved', async () => {
    const store = createFileCheckpointStore(join(dir, 'cp.json'));
    const offsets: Record<string, number> = { '0': 1 };
    await store.save('k', offsets);
    offsets['0'] = 99;
    expect(await store.load('k')).toEqual({ '0': 1 });
    expect(JSON.parse(await readFile(join(dir, 'cp.json'), 'utf8')).checkpoints.k).toEqual({ '0': 1 });
  });
});

describe('createMemoryCheckpointStore', () => {
  it('saves and loads copies', async () => {
    const store = createMemoryCheckpointStore();
    const offsets: Record<string, number> = { '7': 3 };
    await store.save('k', offsets);
    offsets['7'] = 4;
    expect(await store.load('k')).toEqual({ '7': 3 });
    expect(await store.load('other')).toEqual({});
  });
});
