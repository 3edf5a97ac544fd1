import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAutomaton } from './automaton.js';
import { normalizeText } from './normalize.js';

function occurrences(keywords: readonly string[], text: string): string[] {
  const automaton = createAutomaton(keywords);
  const found: string[] = [];
  automaton.scan(text, (keyword, end) => {
    found.push(`${keywords[keyword]}@${end}`);
    return false;
  });
  return found.sort();
}

function naive(keywords: readonly string[], text: string): string[] {
  const normalized = normalizeText(text);
  const found: string[] = [];
  for (const keyword of keywords) {
    for (let at = normalized.indexOf(keyword); at >= 0; at = normalized.indexOf(keyword, at + 1)) {
      found.push(`${keyword}@${at + keyword.length}`);
    }
  }
  return found.sort();
}

describe('createAutomaton', () => {
  it('finds overlapping and nested keywords', () => {
    expect(occurrences(['he', 'she', 'his', 'hers'], 'ushers')).toEqual(['he@4', 'hers@6', 'she@4']);
    expect(occurrences(['a', 'aa', 'aaa'], 'aaa')).toEqual(['a@1', 'a@2', 'a@3', 'aa@2', 'aa@3', 'aaa@3']);
  });

  it('stops when the handler asks', () => {
    const automaton = createAutomaton(['a']);
    let calls = 0;
    expect(automaton.scan('aaaa', () => ++calls === 2)).toBe(true);
    expect(calls).toBe(2);
    expect(createAutomaton([]).scan('abc', () => true)).toBe(false);
  });

  it('builds the same automaton whatever the keyword order, with crowded rows', () => {
    // Every 1- to 3-unit word over 12 units: states with up to 12 children that must share the double array.
    const units = [...'abcdef火山中文字词'];
    const dictionary = units.flatMap((a) => [a, ...units.flatMap((b) => [a + b, ...units.map((c) => a + b + c)])]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(dictionary, { minLength: 1 }),
        fc.string({ unit: fc.constantFrom(...units, 'x'), maxLength: 30 }),
        (keywords, text) => {
          expect(occurrences(keywords, text)).toEqual(naive(keywords, text));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('finds exactly the occurrences in the normalised text', () => {
    const unit = fc.constantFrom('a', 'b', 'A', 'ａ', '火', '山', '\u0301', 'e', 'é', 'ｶ', '\u3099', '😀', '，', ',');
    const keyword = fc.string({ unit, minLength: 1, maxLength: 3 }).map(normalizeText);
    fc.assert(
      fc.property(fc.uniqueArray(keyword, { maxLength: 8 }), fc.string({ unit, maxLength: 20 }), (keywords, text) => {
        expect(occurrences(keywords, text)).toEqual(naive(keywords, text));
      }),
      { numRuns: 500 },
    );
  });
});
