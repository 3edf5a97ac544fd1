import { describe, expect, it } from 'vitest';
import { rule as build } from './builder.js';
import { compileRule } from './compile.js';
import type { Rule } from './types.js';
import { RuleValidationError } from './validate.js';

describe('compileRule', () => {
  const rule: Rule = [
    'and',
    ['in', '测试', { f: 'title' }],
    ['or', ['in', '火山', { fl: ['asr', 'ocr'] }], ['list_intersect', { f: 'tags' }, ['美食']]],
  ];
  const compiled = compileRule(rule);

  it('matches posts', () => {
    expect(compiled.match({ title: '一个测试', feature: { ocr: '火山引擎' } })).toBe(true);
    expect(compiled.match({ title: '一个测试', tags: ['旅行', '美食'] })).toBe(true);
    expect(compiled.match({ title: '一个测试', tags: ['旅行'] })).toBe(false);
    expect(compiled.match({ feature: { asr: '火山' } })).toBe(false);
  });

  it('keeps no state from one post to the next', () => {
    expect(compiled.match({ title: '测试' })).toBe(false);
    expect(compiled.match({ asr: '火山' })).toBe(false);
    expect(compiled.match({ title: '测试', asr: '火山' })).toBe(true);
    expect(compiled.match({ title: '测试' })).toBe(false);
  });

  it('treats non-objects as posts without fields', () => {
    expect(compiled.match(null as never)).toBe(false);
    expect(compiled.explain('x' as never).matched).toBe(false);
  });

  it('explains which conditions hit, in which field and where', () => {
    const explanation = compiled.explain({
      title: '测试测试',
      feature: { asr: '说火山', ocr: '火山' },
      tags: ['美食'],
    });
    expect(explanation).toEqual({
      matched: true,
      conditions: [
        {
          path: 'rule[1]',
          node: rule[1],
          matched: true,
          hits: [
            { field: 'title', start: 0, end: 2, text: '测试' },
            { field: 'title', start: 2, end: 4, text: '测试' },
          ],
        },
        {
          path: 'rule[2][1]',
          node: ['in', '火山', { fl: ['asr', 'ocr'] }],
          matched: true,
          hits: [
            { field: 'asr', start: 1, end: 3, text: '火山' },
            { field: 'ocr', start: 0, end: 2, text: '火山' },
          ],
        },
        {
          path: 'rule[2][2]',
          node: ['list_intersect', { f: 'tags' }, ['美食']],
          matched: true,
          hits: [{ field: 'tags', element: 0, start: 0, end: 2, text: '美食' }],
        },
      ],
    });
    expect(compiled.explain({ title: '测' }).conditions.every((condition) => !condition.matched)).toBe(true);
  });

  it('reports overlapping and nested keywords', () => {
    const nested = compileRule(
      build.or(...(['he', 'she', 'his', 'hers'].map((k) => build.keyword(k, 'title')) as [Rule])),
    );
    const hits = nested.explain({ title: 'ushers' }).conditions.map((c) => c.hits.map((h) => [h.text, h.start]));
    expect(hits).toEqual([[['he', 2]], [['she', 1]], [], [['hers', 2]]]);
  });

  it('finds keywords whose text NFKC changes, with offsets into the normalised text', () => {
    const accented = compileRule(['in', 'é', { f: 'title' }]);
    expect(accented.match({ title: 'Cafe\u0301 au lait' })).toBe(true);
    expect(accented.explain({ title: 'xCafe\u0301' }).conditions[0]!.hits).toEqual([
      { field: 'title', start: 4, end: 5, text: 'é' },
    ]);
    // "e" is part of "é" once the combining accent is composed, so it no longer occurs on its own.
    expect(compileRule(['in', 'fe', { f: 'title' }]).match({ title: 'cafe\u0301' })).toBe(false);
    expect(compileRule(['in', 'iphone', { f: 'title' }]).match({ title: 'ｉＰｈｏｎｅ😀' })).toBe(true);
  });

  it('counts each condition once however often its keyword occurs', () => {
    const both = compileRule(['and', ['in', 'a', { f: 'title' }], ['in', 'a', { f: 'asr' }]]);
    expect(both.match({ title: 'aaaa' })).toBe(false);
    expect(both.match({ title: 'aaaa', asr: 'a' })).toBe(true);
    const twice = compileRule(['and', ['in', 'a', { f: 'title' }], ['in', 'a', { f: 'title' }]]);
    expect(twice.match({ title: 'a' })).toBe(true);
  });

  it('matches rules with thousands of keywords', () => {
    const keywords = Array.from({ length: 5_000 }, (_, i) => `词${i.toString(36)}尾`);
    const big = compileRule(build.or(...(keywords.map((k) => build.keyword(k, 'title', 'ocr')) as [Rule])));
    expect(big.match({ title: '前缀词3y尾后缀' })).toBe(true);
    expect(big.match({ ocr: `${'词'.repeat(1000)}${keywords[4_999]}` })).toBe(true);
    expect(big.match({ title: '词尾词3y' })).toBe(false);
  });

  it('refuses malformed rules', () => {
    expect(() => compileRule(['or'] as unknown as Rule)).toThrow(RuleValidationError);
  });
});
