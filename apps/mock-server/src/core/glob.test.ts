import { describe, expect, it } from 'vitest';
import { compileMatcher, compilePathGlob } from './glob.js';

describe('compileMatcher', () => {
  it.each([
    ['POST /predict/api/*/callback', 'POST /predict/api/app-1/callback', true],
    ['POST /predict/api/*/callback', 'GET /predict/api/app-1/callback', false],
    ['POST /predict/api/*/callback', 'POST /predict/api/a/b/callback', false],
    ['/predict/**', 'GET /predict/api/ping', true],
    ['/predict/**', 'POST /data/api/a/item', false],
    ['* /data/api/?/item', 'POST /data/api/a/item', true],
    ['**', 'DELETE /anything/at/all', true],
    ['POST /a.b', 'POST /aXb', false],
    ['^POST /data/', 'POST /data/api/a/item', true],
    ['^POST /data/', 'GET /data/api/a/item', false],
  ])('%s against %s → %s', (pattern, target, expected) => {
    expect(compileMatcher(pattern)(target)).toBe(expected);
  });

  it('names an invalid regular expression', () => {
    expect(() => compileMatcher('^(')).toThrow(/invalid regular expression "\^\("/);
  });
});

describe('compilePathGlob', () => {
  it('matches whole paths only', () => {
    expect(compilePathGlob('/predict/*')('/predict/api')).toBe(true);
    expect(compilePathGlob('/predict/*')('/predict/api/ping')).toBe(false);
    expect(compilePathGlob('/predict')('/predict/api')).toBe(false);
  });
});
