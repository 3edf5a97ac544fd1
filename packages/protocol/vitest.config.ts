import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'protocol',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property tests run a bounded number of cases each; this leaves them room on a loaded 2-core CI runner.
    testTimeout: 20_000,
  },
});
