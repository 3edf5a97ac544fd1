import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

// The end-to-end tests spawn the CLI and start emulators on a shared, busy machine: the timeouts leave room for that,
// and stay above the kill timeout of one CLI run (test/support/run-cli.ts) so that a hung run reports its output.
export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { name: 'cli', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 60_000 },
});
