import { ItemDoc } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from './corpus.js';
import { parseItemDocLines, storedDocText } from './item-doc.js';

const END = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

describe('generateCorpus', () => {
  const posts = [...generateCorpus({ seed: 3, size: 5_000, end: END, days: 90 })];

  it('gives the same posts for the same seed, and others for another seed', () => {
    expect([...generateCorpus({ seed: 3, size: 5_000, end: END, days: 90 })]).toEqual(posts);
    const other = [...generateCorpus({ seed: 4, size: 50, end: END, days: 90 })];
    expect(other.map((p) => p.title)).not.toEqual(posts.slice(0, 50).map((p) => p.title));
  });

  it('spreads unique posts over the span, oldest first, with about 4 % deleted', () => {
    expect(new Set(posts.map((p) => p.postId)).size).toBe(posts.length);
    const times = posts.map((p) => p.publishTime);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(END - 90 * DAY);
    expect(times.at(-1)).toBeLessThanOrEqual(END);
    const deleted = posts.filter((p) => p.status !== 1).length / posts.length;
    expect(deleted).toBeGreaterThan(0.02);
    expect(deleted).toBeLessThan(0.06);
    expect(posts.some((p) => /^[\x20-\x7e]+$/.test(p.title ?? ''))).toBe(true);
    expect(posts.some((p) => /[\u4e00-\u9fff]/.test(p.title ?? ''))).toBe(true);
  });

  it('stores documents the protocol accepts, deleted posts with the four documented fields only', () => {
    for (const post of posts.slice(0, 500)) {
      const doc = JSON.parse(storedDocText(post)) as Record<string, unknown>;
      expect(ItemDoc.safeParse(doc).success).toBe(true);
      if (post.status !== 1)
        expect(Object.keys(doc).sort()).toEqual(['origin_id', 'post_id', 'publish_time', 'status']);
      else expect(doc).toMatchObject({ title: post.title, feature: { asr: post.asr, ocr: post.ocr } });
    }
  });
});

describe('parseItemDocLines', () => {
  it('reads one item_doc per line, skipping blank lines, and names the line of a bad one', () => {
    const line = (id: string) =>
      JSON.stringify({ post_id: id, origin_id: 'o', status: 1, publish_time: '2025-06-01 12:00:00' });
    expect(parseItemDocLines(`${line('a')}\n\n${line('b')}\n`).map((p) => p.postId)).toEqual(['a', 'b']);
    const badId = '{"post_id": 1, "origin_id": "o", "status": 1, "publish_time": "2025-06-01 12:00:00"}';
    expect(() => parseItemDocLines(`${line('a')}\n${badId}`)).toThrow(/^line 2\.post_id: /);
    expect(() => parseItemDocLines('not json')).toThrow(/^line 1: not JSON/);
  });
});
