import { describe, expect, it } from 'vitest';
import { rule } from './builder.js';
import { RuleValidationError } from './validate.js';

describe('rule builder', () => {
  it('builds every node form', () => {
    expect(
      rule.and(
        rule.keyword('测试', 'title'),
        rule.or(
          rule.keyword('火山', 'asr', 'ocr'),
          rule.inList('poi_city_name', ['北京']),
          rule.listIntersect(['tags'], ['美食']),
        ),
      ),
    ).toEqual([
      'and',
      ['in', '测试', { f: 'title' }],
      [
        'or',
        ['in', '火山', { fl: ['asr', 'ocr'] }],
        ['in_list', { f: 'poi_city_name' }, ['北京']],
        ['list_intersect', { f: 'tags' }, ['美食']],
      ],
    ]);
    expect(rule.inList(['poi_name', 'poi_city_name'], ['故宫'])).toEqual([
      'in_list',
      { fl: ['poi_name', 'poi_city_name'] },
      ['故宫'],
    ]);
  });

  it('throws for what the types cannot rule out', () => {
    expect(() => rule.keyword('', 'title')).toThrow(RuleValidationError);
    expect(() => rule.inList('poi_name', [' '])).toThrow('rule[2][0]: value must not be empty or blank');
    const deepest = rule.and(rule.or(rule.or(rule.keyword('x', 'title'))));
    expect(() => rule.and(deepest)).toThrow('logic nodes are nested 4 levels deep');
  });
});
