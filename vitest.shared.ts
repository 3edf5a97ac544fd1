import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Tests import the workspace packages from their TypeScript sources, so that a test run never depends on a stale
 * `dist/`. Published consumers resolve the same specifiers through each package's `exports` map.
 */
export const workspaceAliases = [
  { find: /^@insight\/(protocol|rules|client)$/, replacement: `${root}packages/$1/src/index.ts` },
  { find: /^@insight\/mock-server$/, replacement: `${root}apps/mock-server/src/index.ts` },
];
