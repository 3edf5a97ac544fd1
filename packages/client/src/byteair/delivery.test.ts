import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../core/errors.js';
import { buildCallbackItems } from './delivery.js';

describe('buildCallbackItems', () => {
  it("builds the vendor's example: 3 filtered, 10 force-inserted at position 2", () => {
    expect(buildCallbackItems({ shown: ['1', '10', '2', '4', '5'], inserted: ['10'], filtered: ['3'] })).toEqual([
      { id: '1', pos: '1', extra: '{"reason":"kept"}' },
      { id: '10', pos: '2', extra: '{"reason":"inserted"}' },
      { id: '2', pos: '3', extra: '{"reason":"kept"}' },
      { id: '4', pos: '4', extra: '{"reason":"kept"}' },
      { id: '5', pos: '5', extra: '{"reason":"kept"}' },
      { id: '3', pos: '0', extra: '{"reason":"filtered"}' },
    ]);
  });

  it('refuses inconsistent deliveries, naming every problem', () => {
    const error = (() => {
      try {
        buildCallbackItems({ shown: ['a', 'a', ''], inserted: ['z'], filtered: ['a', 'f', 'f'] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.map((i) => i.path)).toEqual([
      'shown[1]',
      'shown[2]',
      'inserted[0]',
      'filtered[0]',
      'filtered[2]',
    ]);
  });
});
