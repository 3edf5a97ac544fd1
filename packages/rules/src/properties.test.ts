import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule } from './compile.js';
import { evaluateRule } from './evaluate.js';
import type { RuleDocument, RuleField } from './fields.js';
import { formatRule } from './format.js';
import { parseRuleLine } from './line-syntax.js';
import { normalizeQuickly, normalizeText } from './normalize.js';
import type { FieldRef, Rule, RuleNode } from './types.js';
import { validateRule } from './validate.js';

// Units chosen to exercise normalisation: full-width and half-width forms, Latin case, combining marks that compose
// with the unit before them, ligatures, kana voicing marks, an emoji (a surrogate pair) and a lone surrogate.
const UNITS = [
  'a',
  'b',
  'e',
  'A',
  'B',
  'E',
  'ａ',
  'Ａ',
  'ｅ',
  '火',
  '山',
  '测',
  '试',
  '，',
  ',',
  ' ',
  '　',
  'ﬁ',
  'f',
  'i',
  'Ⅸ',
  '\u0301',
  '\u0300',
  'é',
  '\u030c',
  'J',
  'j',
  'ｶ',
  'カ',
  '\u3099',
  'ガ',
  '😀',
  '\ud83d',
  '①',
  '1',
  '一',
  '⼀',
  '…',
  '.',
];
const unit = fc.constantFrom(...UNITS);
const word = fc.string({ unit, minLength: 1, maxLength: 4 }).filter((w) => normalizeText(w).trim().length > 0);
const TEXT_FIELDS: RuleField[] = ['title', 'asr', 'ocr', 'poi_name', 'poi_city_name'];
const FIELDS: RuleField[] = [...TEXT_FIELDS, 'tags'];

const fieldRef: fc.Arbitrary<FieldRef> = fc.oneof(
  fc.constantFrom(...FIELDS).map((f) => ({ f })),
  fc
    .uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 })
    .map((fl) => ({ fl: fl as [RuleField, ...RuleField[]] })),
);
const values = fc.array(word, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<[string, ...string[]]>;
const leaf: fc.Arbitrary<RuleNode> = fc.oneof(
  { arbitrary: fc.tuple(fc.constant('in' as const), word, fieldRef), weight: 4 },
  fc.tuple(fc.constant('in_list' as const), fieldRef, values),
  fc.tuple(fc.constant('list_intersect' as const), fieldRef, values),
);
const node = (depth: number): fc.Arbitrary<RuleNode> =>
  depth === 0
    ? leaf
    : fc.oneof(
        leaf,
        fc
          .tuple(
            fc.constantFrom('and' as const, 'or' as const),
            fc.array(node(depth - 1), { minLength: 1, maxLength: 4 }),
          )
          .map(([op, children]) => [op, ...children] as unknown as RuleNode),
      );
const anyRule: fc.Arbitrary<Rule> = node(3);

// Texts built from whole words and loose units, so that keywords hit, overlap and nest.
const text = fc.array(fc.oneof(word, unit), { maxLength: 12 }).map((parts) => parts.join(''));
const doc: fc.Arbitrary<RuleDocument> = fc.record(
  {
    title: text,
    feature: fc.record({ asr: text, ocr: text }, { requiredKeys: [] }),
    ocr: text,
    poi_name: text,
    poi_city_name: fc.oneof(word, text),
    tags: fc.array(fc.oneof(word, text), { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

describe('compiled matcher', () => {
  it('agrees with the reference interpreter on random rules and posts', () => {
    fc.assert(
      fc.property(anyRule, fc.array(doc, { minLength: 1, maxLength: 8 }), (rule, docs) => {
        const compiled = compileRule(rule);
        for (const post of docs) {
          const expected = evaluateRule(rule, post);
          expect(compiled.match(post)).toBe(expected);
          expect(compiled.explain(post).matched).toBe(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('explains each condition as the reference evaluates it, with offsets into the normalised text', () => {
    fc.assert(
      fc.property(anyRule, doc, (rule, post) => {
        const explanation = compileRule(rule).explain(post);
        for (const condition of explanation.conditions) {
          expect(condition.matched).toBe(evaluateRule(condition.node, post));
          expect(condition.hits.length > 0).toBe(condition.matched);
          for (const hit of condition.hits) {
            const raw = hit.field === 'tags' ? (post.tags as string[])[hit.element!]! : fieldText(post, hit.field);
            expect(normalizeText(raw).slice(hit.start, hit.end)).toBe(hit.text);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

function fieldText(post: RuleDocument, field: RuleField): string {
  if (field === 'asr' || field === 'ocr') {
    const nested = (post.feature as Record<string, string> | undefined)?.[field];
    return nested ?? (post[field] as string);
  }
  return post[field as keyof RuleDocument] as string;
}

describe('normalisation', () => {
  it('takes the quick path to the same text as NFKC', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(unit, fc.string({ unit: 'grapheme', maxLength: 1 })) }), (s) => {
        expect(normalizeQuickly(s)).toBe(normalizeText(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('formats', () => {
  it('reads back every format to the same rule', () => {
    fc.assert(
      fc.property(anyRule, (rule) => {
        expect(parseRuleLine(formatRule(rule, 'line'))).toEqual(rule);
        expect(JSON.parse(formatRule(rule, 'pretty'))).toEqual(rule);
        const compact = validateRule(JSON.parse(formatRule(rule, 'compact')), { kind: 'realtime' });
        expect(compact.ok && compact.rule).toEqual(rule);
        expect(formatRule(parseRuleLine(formatRule(rule, 'line')), 'line')).toBe(formatRule(rule, 'line'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('validator', () => {
  it('never throws, and accepts exactly what it returns', () => {
    const json = fc.jsonValue({ maxDepth: 6 });
    const nearRule = fc.oneof(
      json,
      anyRule,
      fc.tuple(fc.constantFrom('and', 'or', 'in', 'in_list', 'list_intersect', 'adn'), json, json),
      fc.array(fc.oneof(json, anyRule), { maxLength: 4 }).map((children) => ['or', ...children]),
    );
    fc.assert(
      fc.property(nearRule, fc.constantFrom('backtrack', 'realtime', 'realtime-sync' as const), (input, kind) => {
        const result = validateRule(input, { kind });
        if (result.ok) {
          expect(result.rule).toEqual(input);
        } else {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const issue of result.errors) expect(issue.path).toMatch(/^rule/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
