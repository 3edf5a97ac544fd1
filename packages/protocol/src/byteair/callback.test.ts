import { describe, expect, it } from 'vitest';
import { callbackExtraProblem } from './callback.js';

describe('callback item extra', () => {
  it.each(['', '{"reason":"kept"}', '"inserted"', '"filtered"', '["a"]', '3', 'null', ' {"reason":"kept"} '])(
    'accepts %j: empty, or JSON text of any kind',
    (extra) => {
      expect(callbackExtraProblem(extra)).toBeUndefined();
      // A second look answers the same (short values are remembered).
      expect(callbackExtraProblem(extra)).toBeUndefined();
    },
  );

  it.each(['kept', '{reason:kept}', ' ', '{"reason":"kept"', `"${'x'.repeat(300)}`])('refuses %j', (extra) => {
    expect(callbackExtraProblem(extra)).toBe('must be JSON text, e.g. {"reason":"kept"} or "filtered"');
  });
});
