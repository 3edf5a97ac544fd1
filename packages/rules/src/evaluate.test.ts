import { describe, expect, it } from 'vitest';
import { evaluateRule } from './evaluate.js';
import type { Rule } from './types.js';
import { RuleValidationError } from './validate.js';

const inTitle = (keyword: string): Rule => ['in', keyword, { f: 'title' }];

describe('evaluateRule', () => {
  it('matches keywords as substrings after NFKC and Latin lower-casing, on both sides', () => {
    expect(evaluateRule(inTitle('iphone'), { title: '新款 iPhone 发布' })).toBe(true);
    expect(evaluateRule(inTitle('IPHONE'), { title: '新款 ｉＰｈｏｎｅ 发布' })).toBe(true);
    expect(evaluateRule(inTitle('5g'), { title: '５Ｇ网络' })).toBe(true);
    expect(evaluateRule(inTitle('fi'), { title: 'ﬁsh' })).toBe(true);
    expect(evaluateRule(inTitle('é'), { title: 'cafe\u0301' })).toBe(true);
    expect(evaluateRule(inTitle('e'), { title: 'café' })).toBe(false);
    expect(evaluateRule(inTitle('ä'), { title: 'Ä' })).toBe(false); // only A–Z are folded
  });

  it('never matches a missing or empty field', () => {
    expect(evaluateRule(inTitle('a'), {})).toBe(false);
    expect(evaluateRule(inTitle('a'), { title: '' })).toBe(false);
    expect(evaluateRule(inTitle('a'), { title: null })).toBe(false);
    expect(evaluateRule(inTitle('a'), { title: ['a'] })).toBe(false);
    expect(evaluateRule(['in_list', { f: 'poi_city_name' }, ['北京']], { poi_city_name: undefined })).toBe(false);
    expect(evaluateRule(['list_intersect', { f: 'tags' }, ['美食']], { tags: [] })).toBe(false);
  });

  it('matches fl when any listed field matches', () => {
    const rule: Rule = ['in', '火山', { fl: ['title', 'asr', 'ocr'] }];
    expect(evaluateRule(rule, { title: 'x', feature: { ocr: '火山引擎' } })).toBe(true);
    expect(evaluateRule(rule, { title: 'x', asr: '火山' })).toBe(true);
    expect(evaluateRule(rule, { title: 'x', poi_name: '火山' })).toBe(false);
  });

  it('reads asr and ocr from feature first, then from the top level', () => {
    const rule: Rule = ['in', '火山', { f: 'asr' }];
    expect(evaluateRule(rule, { feature: { asr: '别的' }, asr: '火山' })).toBe(false);
    expect(evaluateRule(rule, { feature: {}, asr: '火山' })).toBe(true);
    expect(evaluateRule(rule, { feature: null, asr: '火山' })).toBe(true);
  });

  it('matches in on tags when a keyword is inside one tag, never across tags', () => {
    const rule: Rule = ['in', '美食', { f: 'tags' }];
    expect(evaluateRule(rule, { tags: ['旅行', '广州美食'] })).toBe(true);
    expect(evaluateRule(rule, { tags: ['美', '食'] })).toBe(false);
  });

  it('matches in_list and list_intersect by equality after normalisation', () => {
    expect(evaluateRule(['in_list', { f: 'poi_city_name' }, ['北京', '上海']], { poi_city_name: '上海' })).toBe(true);
    expect(evaluateRule(['in_list', { f: 'poi_city_name' }, ['北京']], { poi_city_name: '北京市' })).toBe(false);
    expect(evaluateRule(['in_list', { f: 'based_location' }, ['SZ']], { based_location: 'ｓｚ' })).toBe(true);
    expect(evaluateRule(['list_intersect', { f: 'tags' }, ['美食', 'Vlog']], { tags: ['vlog', '旅行'] })).toBe(true);
    expect(evaluateRule(['list_intersect', { f: 'poi_name' }, ['故宫']], { poi_name: '故宫' })).toBe(true);
    expect(evaluateRule(['in_list', { f: 'tags' }, ['旅行']], { tags: ['vlog', '旅行'] })).toBe(true);
  });

  it('reads same-origin ids from origin_id and post_id, numbers included', () => {
    expect(evaluateRule(['in_list', { f: 'same_origin_origin_id' }, ['7001']], { origin_id: 7001 })).toBe(true);
    expect(evaluateRule(['in_list', { f: 'same_origin_post_id' }, ['p1']], { post_id: 'p1' })).toBe(true);
    expect(evaluateRule(['in_list', { f: 'same_origin_post_id' }, ['p1']], { origin_id: 'p1' })).toBe(false);
  });

  it('combines children with and / or', () => {
    const rule: Rule = ['and', inTitle('a'), ['or', inTitle('b'), inTitle('c')]];
    expect(evaluateRule(rule, { title: 'ac' })).toBe(true);
    expect(evaluateRule(rule, { title: 'bc' })).toBe(false);
    expect(evaluateRule(rule, { title: 'a' })).toBe(false);
  });

  it('refuses a malformed rule rather than answering for it', () => {
    expect(() => evaluateRule(['adn', inTitle('a')] as unknown as Rule, { title: 'a' })).toThrow(RuleValidationError);
    expect(() => evaluateRule(['or'] as unknown as Rule, {})).toThrow('"or" needs at least one condition');
  });
});
