import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, DATABASE_FILE } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('store', () => {
  it('applies each migration once per module, in order, across reopenings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'insight-store-'));
    dirs.push(dir);
    const migrations = [
      { id: '001', up: 'CREATE TABLE t (a INTEGER)' },
      { id: '002', up: 'ALTER TABLE t ADD COLUMN b TEXT' },
    ];
    const first = createStore(join(dir, 'nested'));
    first.migrate('m', migrations);
    first.prepare('INSERT INTO t (a, b) VALUES (1, ?)').run('x');
    first.close();
    first.close();

    const second = createStore(join(dir, 'nested'));
    expect(second.path).toBe(join(dir, 'nested', DATABASE_FILE));
    second.migrate('m', [...migrations, { id: '003', up: 'CREATE TABLE u (c INTEGER)' }]);
    expect(second.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 1, b: 'x' }]);
    expect(second.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(second.prepare("SELECT id FROM _migrations WHERE module = 'm' ORDER BY id").all()).toEqual([
      { id: '001' },
      { id: '002' },
      { id: '003' },
    ]);
    second.close();
  });

  it('rolls a failed migration back entirely and refuses duplicate ids', () => {
    const store = createStore(':memory:');
    expect(() =>
      store.migrate('m', [{ id: '001', up: 'CREATE TABLE t (a INTEGER); INSERT INTO nowhere VALUES (1)' }]),
    ).toThrow();
    expect(store.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all()).toEqual([]);
    expect(() =>
      store.migrate('m', [
        { id: 'x', up: '' },
        { id: 'x', up: '' },
      ]),
    ).toThrow(/duplicate migration id "x"/);
    store.close();
  });

  it('rolls a transaction back when its function throws', () => {
    const store = createStore(':memory:');
    store.db.exec('CREATE TABLE t (a INTEGER)');
    expect(() =>
      store.transaction(() => {
        store.prepare('INSERT INTO t VALUES (1)').run();
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(store.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    store.close();
  });
});
