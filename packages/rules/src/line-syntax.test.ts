import { describe, expect, it } from 'vitest';
import { parseRuleLine, RuleSyntaxError } from './line-syntax.js';

function syntaxError(text: string): string {
  try {
    parseRuleLine(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleSyntaxError);
    return (error as RuleSyntaxError).message;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseRuleLine', () => {
  it('reads conditions on one or several fields', () => {
    expect(parseRuleLine('title:"测试" AND (asr|ocr):"火山"')).toEqual([
      'and',
      ['in', '测试', { f: 'title' }],
      ['in', '火山', { fl: ['asr', 'ocr'] }],
    ]);
    expect(parseRuleLine('asr|ocr : "火山"')).toEqual(['in', '火山', { fl: ['asr', 'ocr'] }]);
    expect(parseRuleLine('(title):"x"')).toEqual(['in', 'x', { fl: ['title'] }]);
    expect(parseRuleLine('poi_city_name IN ["北京", "上海",]')).toEqual([
      'in_list',
      { f: 'poi_city_name' },
      ['北京', '上海'],
    ]);
    expect(parseRuleLine('tags any ["美食"]')).toEqual(['list_intersect', { f: 'tags' }, ['美食']]);
  });

  it('binds AND tighter than OR, and keeps the grouping written', () => {
    const a = ['in', 'a', { f: 'title' }];
    const b = ['in', 'b', { f: 'title' }];
    const c = ['in', 'c', { f: 'title' }];
    expect(parseRuleLine('title:"a" OR title:"b" AND title:"c"')).toEqual(['or', a, ['and', b, c]]);
    expect(parseRuleLine('(title:"a" OR title:"b") and title:"c"')).toEqual(['and', ['or', a, b], c]);
    expect(parseRuleLine('(title:"a" AND title:"b") AND title:"c"')).toEqual(['and', ['and', a, b], c]);
    expect(parseRuleLine('title:"a" AND title:"b" AND title:"c"')).toEqual(['and', a, b, c]);
    expect(parseRuleLine('((title:"a"))')).toEqual(a);
  });

  it('writes one-child logic nodes as AND(…) and OR(…)', () => {
    expect(parseRuleLine('AND(OR(OR(title:"测试")))')).toEqual(['and', ['or', ['or', ['in', '测试', { f: 'title' }]]]]);
    expect(parseRuleLine('Or(title:"a" AND title:"b")')).toEqual([
      'or',
      ['and', ['in', 'a', { f: 'title' }], ['in', 'b', { f: 'title' }]],
    ]);
  });

  it('decodes JSON string escapes', () => {
    expect(parseRuleLine('title:"say \\"hi\\" \\\\ \\u706b\\n"')).toEqual(['in', 'say "hi" \\ 火\n', { f: 'title' }]);
  });

  it('names the column of each mistake', () => {
    expect(syntaxError('titel:"x"')).toBe('column 1: unknown field "titel" (did you mean "title"?)');
    expect(syntaxError('title:"x" AND')).toBe('column 14: expected a field name, got the end of the rule');
    expect(syntaxError('title "x"')).toBe('column 7: expected ":", IN or ANY after the field, got the string "x"');
    expect(syntaxError('title:x')).toBe('column 7: expected a quoted keyword, got "x"');
    expect(syntaxError('title:"x" title:"y"')).toBe('column 11: expected AND, OR or the end of the rule, got "title"');
    expect(syntaxError('(title:"x"')).toBe('column 11: expected ")" to close the group, got the end of the rule');
    expect(syntaxError('AND(title:"x"')).toBe(
      'column 14: expected ")" to close the operand list, got the end of the rule',
    );
    expect(syntaxError('(asr|ocr:"x"')).toBe('column 9: expected "|" or ")" in the field list, got ":"');
    expect(syntaxError('title:"unterminated')).toBe('column 7: unterminated string');
    expect(syntaxError('title:"a\\qb"')).toBe('column 9: invalid escape "\\q"');
    expect(syntaxError('title:"\\u12"')).toBe('column 8: invalid escape "\\u12""');
    expect(syntaxError('title:"x" # note')).toBe('column 11: unexpected character "#"');
    expect(syntaxError('title:"  "')).toBe('column 7: a keyword must not be empty or blank');
    expect(syntaxError('tags ANY []')).toBe('column 10: the list must hold at least one value');
    expect(syntaxError('tags ANY [,]')).toBe('column 11: expected a quoted value or "]", got ","');
    expect(syntaxError('tags ANY ["a" "b"]')).toBe('column 15: expected "," or "]", got the string "b"');
    expect(syntaxError('tags ANY "a"')).toBe('column 10: expected "[" to start the list of values, got the string "a"');
    expect(syntaxError(`${'('.repeat(65)}title:"x"${')'.repeat(65)}`)).toBe(
      'column 65: parentheses nested deeper than 64',
    );
  });
});
