import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { compileRule } from '@insight/rules';
import { generateCorpus } from './src/insight/corpus.js';
import { createPostStore } from './src/insight/post-store.js';
import { INSIGHT_MIGRATIONS } from './src/insight/schema.js';

const N = Number(process.argv[2] ?? 300000);
const file = `/tmp/h5b/mb/scan-${N}.db`;
const fresh = !existsSync(file);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const END = Date.UTC(2025, 5, 1);
if (fresh) {
  db.exec(INSIGHT_MIGRATIONS[0]!.up);
  const t = performance.now();
  createPostStore(db).upsert(generateCorpus({ seed: 7, size: N, end: END }));
  console.log('load', (performance.now() - t).toFixed(0));
}
const rule = compileRule(['or', ...['咖啡', 'coffee', '露营', 'camping'].map((k) => ['in', k, { fl: ['title', 'asr', 'ocr'] }])] as any);
const start = END - 90 * 86400000;
function time(name: string, fn: () => number) {
  const t = performance.now();
  const n = fn();
  console.log(name.padEnd(40), (performance.now() - t).toFixed(0), 'ms', n);
}
const B = 8000;
time('objects batches DESC', () => {
  const st = db.prepare(`SELECT seq, publish_time, status, title, asr, ocr FROM insight_posts WHERE publish_time >= ? AND (publish_time, seq) < (?, ?) ORDER BY publish_time DESC, seq DESC LIMIT ?`);
  let c = { t: END + 1, s: Number.MAX_SAFE_INTEGER }; let n = 0;
  for (;;) { const rows = st.all(start, c.t, c.s, B) as any[]; for (const r of rows) if (rule.match(r)) n++; if (rows.length < B) break; const l = rows[rows.length - 1]; c = { t: l.publish_time, s: l.seq }; }
  return n;
});
time('raw batches DESC', () => {
  const st = db.prepare(`SELECT seq, publish_time, status, title, asr, ocr FROM insight_posts WHERE publish_time >= ? AND (publish_time, seq) < (?, ?) ORDER BY publish_time DESC, seq DESC LIMIT ?`).raw(true);
  let c = { t: END + 1, s: Number.MAX_SAFE_INTEGER }; let n = 0;
  const doc: any = {};
  for (;;) { const rows = st.all(start, c.t, c.s, B) as any[]; for (const r of rows) { doc.title = r[3]; doc.asr = r[4]; doc.ocr = r[5]; if (rule.match(doc)) n++; } if (rows.length < B) break; const l = rows[rows.length - 1]; c = { t: l[1], s: l[0] }; }
  return n;
});
time('raw iterate DESC', () => {
  const st = db.prepare(`SELECT seq, publish_time, status, title, asr, ocr FROM insight_posts WHERE publish_time >= ? AND publish_time <= ? ORDER BY publish_time DESC, seq DESC`).raw(true);
  let n = 0; const doc: any = {};
  for (const r of st.iterate(start, END + 1) as any) { doc.title = r[3]; doc.asr = r[4]; doc.ocr = r[5]; if (rule.match(doc)) n++; }
  return n;
});
time('raw rowid order (no time order)', () => {
  const st = db.prepare(`SELECT seq, publish_time, status, title, asr, ocr FROM insight_posts WHERE seq > ? AND publish_time >= ? ORDER BY seq LIMIT ?`).raw(true);
  let s = 0; let n = 0; const doc: any = {};
  for (;;) { const rows = st.all(s, start, B) as any[]; for (const r of rows) { doc.title = r[3]; doc.asr = r[4]; doc.ocr = r[5]; if (rule.match(doc)) n++; } if (rows.length < B) break; s = rows[rows.length - 1][0]; }
  return n;
});
time('match only (no sql), pre-read', () => {
  const rows = db.prepare(`SELECT title, asr, ocr FROM insight_posts`).raw(true).all() as any[];
  const t = performance.now(); let n = 0; const doc: any = {};
  for (const r of rows) { doc.title = r[0]; doc.asr = r[1]; doc.ocr = r[2]; if (rule.match(doc)) n++; }
  console.log('   match part', (performance.now() - t).toFixed(0));
  return n;
});
time('LIKE count', () => db.prepare(`SELECT count(*) FROM insight_posts WHERE publish_time >= ? AND (${['咖啡', 'coffee', '露营', 'camping'].map((k) => `title LIKE '%${k}%' OR asr LIKE '%${k}%' OR ocr LIKE '%${k}%'`).join(' OR ')})`).pluck().get(start) as number);
