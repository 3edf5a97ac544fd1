import { describe, expect, it } from 'vitest';
import { NFKC_UNIT, normalizeQuickly, normalizeText } from './normalize.js';

describe('normalizeText', () => {
  it('applies NFKC, then lower-cases A–Z only', () => {
    expect(normalizeText('ＡＢｃ１２３　火山，ＯＫ')).toBe('abc123 火山,ok');
    expect(normalizeText('ÄÉ ﬁ ①')).toBe('ÄÉ fi 1');
    expect(normalizeText('e\u0301')).toBe('é');
  });
});

describe('NFKC_UNIT', () => {
  it('maps each unit it claims to the NFKC of that unit alone', () => {
    let mapped = 0;
    NFKC_UNIT.forEach((target, unit) => {
      if (target < 0) return;
      mapped += 1;
      expect(String.fromCharCode(unit).normalize('NFKC')).toBe(String.fromCharCode(target));
    });
    // ASCII, the CJK ideographs and the full-width forms at least.
    expect(mapped).toBeGreaterThan(128 + 20_000 + 94);
  });

  it('leaves context-dependent units to full NFKC', () => {
    for (const unit of ['\u0301', '\u3099', '\ud83d', '…', 'ｶ']) expect(NFKC_UNIT[unit.charCodeAt(0)]).toBe(-1);
    expect(normalizeQuickly('ＡＢ，测试')).toBe('ab,测试');
    expect(normalizeQuickly('ｶﾞ')).toBe('ガ');
  });
});
