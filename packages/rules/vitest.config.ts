import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'rules',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property tests run a bounded number of cases each, a few seconds when idle; this leaves them room on a loaded
    // 2-core CI runner.
    testTimeout: 60_000,
  },
});
