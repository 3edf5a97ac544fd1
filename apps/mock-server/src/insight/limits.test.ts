import { INSIGHT_LIMITS } from '@insight/protocol';
import { RULE_LIMITS } from '@insight/rules';
import { describe, expect, it } from 'vitest';

// `@insight/protocol` and `@insight/rules` import nothing of each other, so each states the rule limits of the spec;
// the emulator uses both, and this is where they are held to one another.
describe('rule limits', () => {
  it('are the same in the protocol catalogue and in the rule language', () => {
    for (const kind of ['backtrack', 'realtime'] as const) {
      expect(RULE_LIMITS[kind].maxDepth).toBe(INSIGHT_LIMITS.rule.maxDepth);
      expect(RULE_LIMITS[kind].maxNodes).toBe(INSIGHT_LIMITS.rule.maxNodes[kind]);
      expect(RULE_LIMITS[kind].maxListLength).toBe(INSIGHT_LIMITS.rule.maxNodes[kind]);
    }
    expect(RULE_LIMITS['realtime-sync'].maxNodes).toBe(INSIGHT_LIMITS.rule.maxNodes.realtime);
  });
});
