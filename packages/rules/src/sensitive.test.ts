import { describe, expect, it } from 'vitest';
import { createSensitiveWordMatcher } from './sensitive.js';

describe('createSensitiveWordMatcher', () => {
  it('finds the words a text contains, both normalised, in the order given', () => {
    const find = createSensitiveWordMatcher(['Gambling', '词', 'none']);
    expect(find('ＧＡＭＢＬＩＮＧ词语')).toEqual(['gambling', '词']);
    expect(find('coffee')).toEqual([]);
  });

  it('ignores blank words, which would be found in every text with a space', () => {
    const find = createSensitiveWordMatcher(['', ' ', '　', 'gambling']);
    expect(find('a b')).toEqual([]);
    expect(find('gambling den')).toEqual(['gambling']);
  });
});
