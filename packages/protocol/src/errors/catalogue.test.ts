import { describe, expect, it } from 'vitest';
import {
  BYTEAIR_ERRORS,
  byteAirError,
  classifyHttpStatus,
  formatInsightMessage,
  INSIGHT_ERRORS,
  type InsightErrorCode,
  insightError,
  parseInsightMessage,
} from './catalogue.js';

describe('Content Insight catalogue', () => {
  it('keys every entry by its own code, with a 4xx or 5xx status', () => {
    for (const [key, entry] of Object.entries({ ...INSIGHT_ERRORS, ...BYTEAIR_ERRORS })) {
      expect(entry.code).toBe(Number(key));
      expect(entry.httpStatus === 200 || (entry.httpStatus >= 400 && entry.httpStatus < 600)).toBe(true);
    }
  });

  it('holds the documented codes with their status and class', () => {
    const table = Object.values(INSIGHT_ERRORS).map((e) => [e.code, e.httpStatus, e.errorClass, e.retryable]);
    expect(table).toEqual(
      expect.arrayContaining([
        [40001, 401, 'auth', true],
        [40002, 403, 'permanent', false],
        [40003, 401, 'auth', false],
        [40004, 400, 'permanent', false],
        [40005, 403, 'permanent', false],
        [40006, 403, 'throttling', true],
        [40007, 400, 'permanent', false],
        [40008, 400, 'transient', true],
        [40009, 400, 'permanent', false],
        [10005, 500, 'transient', true],
      ]),
    );
    expect(insightError(40004)?.message).toBe('invalid param');
    expect(insightError(40010)).toBeUndefined();
    expect(insightError(Number('constructor'))).toBeUndefined();
  });

  it('formats and parses canonical messages back to the same code', () => {
    for (const code of Object.keys(INSIGHT_ERRORS).map(Number) as InsightErrorCode[]) {
      const text = formatInsightMessage(code);
      expect(parseInsightMessage(text)).toEqual({ code, message: INSIGHT_ERRORS[code].message });
    }
    expect(formatInsightMessage(40004, 'rule[1]: unknown operator "nand"')).toBe(
      '[40004]invalid param: rule[1]: unknown operator "nand"',
    );
    expect(formatInsightMessage(40006, '')).toBe('[40006]reached qps limit');
  });

  it.each([
    ['[40004]invalid param', { code: 40004, message: 'invalid param' }],
    [' [40006] reached qps limit \n', { code: 40006, message: 'reached qps limit' }],
    ['[10003]internal error', { code: 10003, message: 'internal error' }],
    ['[40004]invalid param: a\nb', { code: 40004, message: 'invalid param: a\nb' }],
    ['[40001]', { code: 40001, message: '' }],
  ])('parses %j', (text, expected) => {
    expect(parseInsightMessage(text)).toEqual(expected);
  });

  it.each([
    'succeed',
    '',
    '40004 invalid param',
    '[]invalid',
    '[abc]invalid',
    '[-1]neg',
    '[1234567890]too long',
    'x[40004]invalid param',
    undefined,
    42,
    { code: 1 },
  ])('rejects junk %j', (text) => {
    expect(parseInsightMessage(text)).toBeUndefined();
  });
});

describe('ByteAir codes', () => {
  it('classifies the documented codes and folds any 5xx into a transient error', () => {
    expect(byteAirError(429)).toMatchObject({ errorClass: 'throttling', retryable: true, httpStatus: 429 });
    expect(byteAirError(410)).toMatchObject({ errorClass: 'transient', retryable: true });
    expect(byteAirError(413)).toMatchObject({ errorClass: 'permanent', retryable: false, httpStatus: 413 });
    expect(byteAirError(401)).toMatchObject({ errorClass: 'auth', retryable: false, httpStatus: 401 });
    expect(byteAirError(503)).toMatchObject({ code: 503, errorClass: 'transient', retryable: true });
    expect(byteAirError(0)).toBeUndefined();
    expect(byteAirError(418)).toBeUndefined();
  });

  it('classifies bare HTTP statuses', () => {
    expect([200, 400, 401, 403, 404, 408, 429, 500, 502].map((s) => classifyHttpStatus(s)?.errorClass)).toEqual([
      undefined,
      'permanent',
      'auth',
      'auth',
      'permanent',
      'transient',
      'throttling',
      'transient',
      'transient',
    ]);
  });
});
