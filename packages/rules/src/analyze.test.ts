import { describe, expect, it } from 'vitest';
import { analyzeRule } from './analyze.js';

describe('analyzeRule', () => {
  it('measures depth, nodes, fields, keywords and values, and which kinds accept the rule', () => {
    const stats = analyzeRule([
      'or',
      ['and', ['in', '火山', { fl: ['ocr', 'title'] }], ['in', '火山', { f: 'asr' }]],
      ['list_intersect', { f: 'tags' }, ['美食', '旅行', '美食']],
    ]);
    expect(stats).toEqual({
      depth: 2,
      nodes: 5,
      conditions: 3,
      maxListLength: 3,
      fields: ['title', 'asr', 'ocr', 'tags'],
      keywords: ['火山'],
      values: ['美食', '旅行'],
      fits: { backtrack: true, realtime: true, 'realtime-sync': false },
    });
  });

  it('tells a realtime-sized rule from a backtrack one', () => {
    const big = ['or', ...Array.from({ length: 201 }, (_, i) => ['in', `k${i}`, { f: 'title' }] as const)] as const;
    expect(analyzeRule(big as never).fits).toEqual({ backtrack: false, realtime: true, 'realtime-sync': true });
    expect(analyzeRule(['in', 'x', { f: 'title' }]).depth).toBe(0);
  });
});
