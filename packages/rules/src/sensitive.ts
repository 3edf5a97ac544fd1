import { normalizeQuickly, normalizeText } from './normalize.js';

/** Returns the sensitive words a text contains (normalised, in the order given); see {@link createSensitiveWordMatcher}. */
export type SensitiveWordMatcher = (text: string) => string[];

/**
 * Prepares a list of sensitive words for checking texts (rule keywords, words sent to the sensitive-words check): a
 * text contains a word when the word is a substring of it, both normalised with {@link normalizeText}. Blank words are
 * ignored, since a blank word would be found in every text that has a space.
 */
export function createSensitiveWordMatcher(words: readonly string[]): SensitiveWordMatcher {
  const sensitive = words.map(normalizeText).filter((word) => word.trim().length > 0);
  return (text) => {
    if (sensitive.length === 0) return [];
    const normalized = normalizeQuickly(text);
    return sensitive.filter((word) => normalized.includes(word));
  };
}
