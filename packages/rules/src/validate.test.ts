import { describe, expect, it } from 'vitest';
import type { RuleKind } from './types.js';
import { formatIssue, parseRule, RuleValidationError, validateRule } from './validate.js';

const title = { f: 'title' };
const keyword = (k: string) => ['in', k, title];
const orOf = (count: number) => ['or', ...Array.from({ length: count }, (_, i) => keyword(`k${i}`))];

/** The issues of an invalid rule, as `path: message` lines. */
function problems(input: unknown, kind: RuleKind = 'backtrack', sensitiveWords?: string[]): string[] {
  const result = validateRule(input, { kind, sensitiveWords });
  if (result.ok) throw new Error('expected the rule to be invalid');
  return result.errors.map(formatIssue);
}

describe('validateRule: limits at their edges', () => {
  it('accepts 200 leaf nodes in a backtrack rule and refuses 201', () => {
    expect(validateRule(orOf(200), { kind: 'backtrack' }).ok).toBe(true);
    expect(problems(orOf(201))).toEqual([
      'rule: the rule has 201 leaf nodes (one per keyword and per list value); a backtrack rule allows at most 200',
    ]);
  });

  it('accepts 10 000 leaf nodes in a realtime rule and refuses 10 001', () => {
    expect(validateRule(orOf(10_000), { kind: 'realtime' }).ok).toBe(true);
    expect(validateRule(orOf(10_000), { kind: 'realtime-sync' }).ok).toBe(true);
    expect(problems(orOf(10_001), 'realtime')).toEqual([
      'rule: the rule has 10001 leaf nodes (one per keyword and per list value); a realtime rule allows at most 10000',
    ]);
  });

  it('counts each list value as a node, and limits one list to 200 values in a backtrack rule', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(validateRule(['in_list', { f: 'poi_city_name' }, values(200)], { kind: 'backtrack' }).ok).toBe(true);
    expect(
      validateRule(['and', ['in_list', { f: 'poi_name' }, values(199)], keyword('x')], { kind: 'backtrack' }).ok,
    ).toBe(true);
    expect(problems(['and', ['in_list', { f: 'poi_name' }, values(200)], keyword('x')])).toEqual([
      'rule: the rule has 201 leaf nodes (one per keyword and per list value); a backtrack rule allows at most 200',
    ]);
    expect(problems(['list_intersect', { f: 'tags' }, values(201)])).toEqual([
      'rule[2]: the list has 201 values; a backtrack rule allows at most 200',
      'rule: the rule has 201 leaf nodes (one per keyword and per list value); a backtrack rule allows at most 200',
    ]);
    expect(validateRule(['in_list', { f: 'poi_name' }, values(10_000)], { kind: 'realtime' }).ok).toBe(true);
    expect(problems(['in_list', { f: 'poi_name' }, values(10_001)], 'realtime')[0]).toBe(
      'rule[2]: the list has 10001 values; a realtime rule allows at most 10000',
    );
  });

  it('accepts 3 levels of logic nodes and refuses 4', () => {
    const deepest = ['and', ['or', ['or', keyword('测试')]]];
    const result = validateRule(deepest, { kind: 'backtrack' });
    expect(result.ok && result.stats.depth).toBe(3);
    expect(problems(['and', ['or', ['or', ['and', keyword('测试')]]]])).toEqual([
      'rule[1][1][1]: logic nodes are nested 4 levels deep; a backtrack rule allows at most 3',
    ]);
  });

  it('stops at the depth limit, so absurdly deep input cannot overflow the stack', () => {
    let deep: unknown = keyword('x');
    for (let i = 0; i < 100_000; i++) deep = ['and', deep];
    expect(problems(deep)).toEqual([
      'rule[1][1][1]: logic nodes are nested 4 levels deep; a backtrack rule allows at most 3',
    ]);
  });

  it('allows tags in backtrack and asynchronous realtime rules only', () => {
    const tags = ['list_intersect', { f: 'tags' }, ['美食']];
    expect(validateRule(tags, { kind: 'backtrack' }).ok).toBe(true);
    expect(validateRule(tags, { kind: 'realtime' }).ok).toBe(true);
    expect(problems(['or', keyword('a'), ['in', 'b', { fl: ['title', 'tags'] }]], 'realtime-sync')).toEqual([
      'rule[2][2].fl[1]: field "tags" is not allowed in a synchronous realtime rule (only in backtrack and realtime rules)',
    ]);
  });
});

describe('validateRule: every error message', () => {
  it('names unknown fields and suggests the closest', () => {
    expect(problems(['and', keyword('a'), ['or', keyword('b'), ['in', '火山', { f: 'titel' }]]])).toEqual([
      'rule[2][2][2].f: unknown field "titel" (did you mean "title"?)',
    ]);
    expect(problems(['in', 'x', { fl: ['asr', 'author'] }])).toEqual(['rule[2].fl[1]: unknown field "author"']);
  });

  it('explains malformed nodes', () => {
    expect(problems('title:"x"')).toEqual([
      'rule: expected a node such as ["in", keyword, field] or ["or", …], got a string "title:\\"x\\""',
    ]);
    expect(problems([])).toEqual([
      'rule: expected a node such as ["in", keyword, field] or ["or", …], got an empty array',
    ]);
    expect(problems(['or', null])).toEqual([
      'rule[1]: expected a node such as ["in", keyword, field] or ["or", …], got null',
    ]);
    expect(problems([1, 'x'])).toEqual(['rule[0]: expected an operator name, got number 1']);
    expect(problems(['adn', keyword('x')])).toEqual([
      'rule[0]: unknown operator "adn" (did you mean "and"?); expected one of "and", "or", "in", "in_list", "list_intersect"',
    ]);
    expect(problems(['or'])).toEqual(['rule: "or" needs at least one condition']);
  });

  it('checks the arguments of each condition', () => {
    expect(problems(['in', 'x'])).toEqual([
      'rule: "in" takes 2 arguments, ["in", keyword, field], got 1',
      'rule[2]: field must be {"f": name} or {"fl": [names]}, got undefined',
    ]);
    expect(problems(['in_list', title, ['a'], 'extra'])).toEqual([
      'rule: "in_list" takes 2 arguments, ["in_list", field, [values]], got 3',
    ]);
    expect(problems(['in', title, 'x'])).toEqual([
      'rule[1]: keyword must be a string, got an object',
      'rule[2]: field must be {"f": name} or {"fl": [names]}, got a string "x"',
    ]);
    expect(problems(['in', ' 　', title])).toEqual(['rule[1]: keyword must not be empty or blank']);
    expect(problems(['in', '', title])).toEqual(['rule[1]: keyword must not be empty or blank']);
  });

  it('checks field references', () => {
    expect(problems(['in', 'x', { f: 'title', fl: ['asr'] }])).toEqual(['rule[2]: use either "f" or "fl", not both']);
    expect(problems(['in', 'x', {}])).toEqual(['rule[2]: field is empty; use {"f": name} or {"fl": [names]}']);
    expect(problems(['in', 'x', { field: 'title' }])).toEqual(['rule[2]: unexpected key "field"; use "f" or "fl"']);
    expect(problems(['in', 'x', { f: 3 }])).toEqual(['rule[2].f: field name must be a string, got number 3']);
    expect(problems(['in', 'x', { fl: 'title' }])).toEqual([
      'rule[2].fl: "fl" must be an array of field names, got a string "title"',
    ]);
    expect(problems(['in', 'x', { fl: [] }])).toEqual(['rule[2].fl: "fl" must name at least one field']);
  });

  it('checks value lists', () => {
    expect(problems(['in_list', title, 'x'])).toEqual([
      'rule[2]: values must be an array of strings, got a string "x"',
    ]);
    expect(problems(['in_list', title, []])).toEqual(['rule[2]: values must list at least one value']);
    // A list over the limit is one issue, whatever its items: a huge list of bad values does not flood the errors.
    const result = validateRule(['in_list', title, Array.from({ length: 100_000 }, () => 0)], { kind: 'backtrack' });
    expect(result.ok ? [] : result.errors).toEqual([
      {
        path: 'rule[2]',
        code: 'list_too_long',
        message: 'the list has 100000 values; a backtrack rule allows at most 200',
      },
      {
        path: 'rule',
        code: 'too_many_nodes',
        message:
          'the rule has 100000 leaf nodes (one per keyword and per list value); a backtrack rule allows at most 200',
      },
    ]);
    expect(problems(['list_intersect', { f: 'tags' }, ['a', 2, '']])).toEqual([
      'rule[2][1]: value must be a string, got number 2',
      'rule[2][2]: value must not be empty or blank',
    ]);
  });

  it('refuses keywords holding sensitive words, compared after normalisation, and names them', () => {
    expect(problems(['or', keyword('ＢＡＤ词语'), keyword('fine')], 'backtrack', ['bad', '词', 'none'])).toEqual([
      'rule[1][1]: keyword "ＢＡＤ词语" contains sensitive words "bad", "词"',
    ]);
    expect(problems(keyword('赌博'), 'realtime', ['赌博'])).toEqual([
      'rule[1]: keyword "赌博" contains sensitive word "赌博"',
    ]);
    expect(validateRule(keyword('new york'), { kind: 'backtrack', sensitiveWords: ['', ' ', '　'] }).ok).toBe(true);
  });

  it('collects every problem in document order', () => {
    expect(problems(['and', ['in', 1, { f: 'x' }], ['or'], ['in_list', title, []]])).toEqual([
      'rule[1][1]: keyword must be a string, got number 1',
      'rule[1][2].f: unknown field "x"',
      'rule[2]: "or" needs at least one condition',
      'rule[3][2]: values must list at least one value',
    ]);
  });

  it('truncates huge values in messages', () => {
    const [line] = problems(['in', 'x', { f: 'y'.repeat(10_000) }]);
    expect(line!.length).toBeLessThan(100);
  });

  it('prefixes paths with the given root', () => {
    const result = validateRule(['or'], { kind: 'backtrack', path: 'body.rule' });
    expect(!result.ok && result.errors[0]!.path).toBe('body.rule');
  });

  it('refuses an unknown kind as a programming error', () => {
    expect(() => validateRule(keyword('x'), { kind: 'daily' as RuleKind })).toThrow(TypeError);
  });
});

describe('validateRule: valid rules', () => {
  it('returns a clean copy of the rule and its statistics', () => {
    const input = ['and', ['in', '测试', { f: 'title' }], ['in_list', { fl: ['poi_city_name'] }, ['北京']]];
    const result = validateRule(input, { kind: 'backtrack' });
    expect(result).toMatchObject({ ok: true, rule: input, stats: { depth: 1, nodes: 2, conditions: 2 } });
    expect(result.ok && result.rule).not.toBe(input);
  });
});

describe('parseRule', () => {
  it('returns the rule or throws a RuleValidationError listing the issues', () => {
    expect(parseRule(keyword('x'), { kind: 'realtime' })).toEqual(keyword('x'));
    const error = (() => {
      try {
        parseRule(['or', ['in', 'x', { f: 'titel' }], ['or']], { kind: 'realtime' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RuleValidationError);
    expect((error as RuleValidationError).issues.map((issue) => issue.code)).toEqual(['unknown_field', 'empty_logic']);
    expect((error as Error).message).toBe(
      'invalid rule (2 problems):\n  rule[1][2].f: unknown field "titel" (did you mean "title"?)\n  rule[2]: "or" needs at least one condition',
    );
  });
});
