import { describe, expect, it } from 'vitest';
import { formatRule } from './format.js';
import type { Rule } from './types.js';

const rule: Rule = [
  'and',
  ['in', '测试', { f: 'title' }],
  ['or', ['in', '火"山', { fl: ['asr', 'ocr'] }], ['in_list', { f: 'poi_city_name' }, ['北京', '上海']]],
  ['or', ['list_intersect', { f: 'tags' }, ['美食']]],
];

describe('formatRule', () => {
  it('writes canonical compact JSON, dropping anything outside the grammar', () => {
    const extra = ['in', 'x', { f: 'title', note: 1 }] as unknown as Rule;
    expect(formatRule(extra)).toBe('["in","x",{"f":"title"}]');
    expect(formatRule(rule, 'compact')).toBe(
      '["and",["in","测试",{"f":"title"}],["or",["in","火\\"山",{"fl":["asr","ocr"]}],' +
        '["in_list",{"f":"poi_city_name"},["北京","上海"]]],["or",["list_intersect",{"f":"tags"},["美食"]]]]',
    );
  });

  it('writes pretty JSON with one condition per line', () => {
    expect(formatRule(rule, 'pretty')).toBe(
      [
        '[',
        '  "and",',
        '  ["in","测试",{"f":"title"}],',
        '  [',
        '    "or",',
        '    ["in","火\\"山",{"fl":["asr","ocr"]}],',
        '    ["in_list",{"f":"poi_city_name"},["北京","上海"]]',
        '  ],',
        '  [',
        '    "or",',
        '    ["list_intersect",{"f":"tags"},["美食"]]',
        '  ]',
        ']',
      ].join('\n'),
    );
  });

  it('writes the one-line syntax, parenthesising nested logic', () => {
    expect(formatRule(rule, 'line')).toBe(
      'title:"测试" AND ((asr|ocr):"火\\"山" OR poi_city_name IN ["北京", "上海"]) AND OR(tags ANY ["美食"])',
    );
    expect(formatRule(['and', ['or', ['or', ['in', '测试', { f: 'title' }]]]], 'line')).toBe(
      'AND(OR(OR(title:"测试")))',
    );
  });
});
