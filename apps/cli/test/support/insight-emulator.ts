import { createMockServer, type MockServer } from '@insight/mock-server';
import { afterAll, beforeAll } from 'vitest';

/** The Content Insight account of the test emulators. */
export const ACCOUNT = { bizName: 'cli-biz', secret: 'cli-secret' };

/** The emulator of a test file, as the CLI sees it. */
export interface InsightEmulator {
  /** The environment that points the CLI at the emulator with {@link ACCOUNT}. */
  readonly env: Record<string, string>;
}

/**
 * Starts an emulator with a small corpus and no firehose before the file's tests and closes it after them. Read
 * `env` inside tests only: it exists once `beforeAll` has run.
 */
export function useInsightEmulator(): InsightEmulator {
  let server: MockServer | undefined;
  beforeAll(async () => {
    server = await createMockServer({ insight: { accounts: [ACCOUNT], corpus: { size: 3000 }, firehoseRate: 0 } });
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get env() {
      if (!server) throw new Error('the emulator is only available inside tests (it starts in beforeAll)');
      return { INSIGHT_BASE_URL: server.url, INSIGHT_BIZ_NAME: ACCOUNT.bizName, INSIGHT_BIZ_SECRET: ACCOUNT.secret };
    },
  };
}
