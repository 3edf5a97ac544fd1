import {
  createMockServer,
  type InsightModuleOptions,
  type MockServer,
  type MockServerOptions,
} from '@insight/mock-server';
import { afterAll, beforeAll } from 'vitest';

/** The Content Insight account of the test emulators. */
export const ACCOUNT = { bizName: 'cli-biz', secret: 'cli-secret' };

/** The emulator of a test file, as the CLI sees it. */
export interface InsightEmulator {
  /** The environment that points the CLI at the emulator with {@link ACCOUNT}. */
  readonly env: Record<string, string>;
  /** The running emulator, for its URL, control plane and reset. */
  readonly server: MockServer;
}

/**
 * Starts an emulator with a small corpus and no firehose before the file's tests and closes it after them; `options`
 * add to (or replace) those settings. Read `env` and `server` inside tests only: they exist once `beforeAll` has run.
 */
export function useInsightEmulator(
  options: { clock?: MockServerOptions['clock']; insight?: InsightModuleOptions } = {},
): InsightEmulator {
  let server: MockServer | undefined;
  beforeAll(async () => {
    server = await createMockServer({
      ...(options.clock ? { clock: options.clock } : {}),
      insight: { accounts: [ACCOUNT], corpus: { size: 3000 }, firehoseRate: 0, ...options.insight },
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const running = (): MockServer => {
    if (!server) throw new Error('the emulator is only available inside tests (it starts in beforeAll)');
    return server;
  };
  return {
    get env() {
      return {
        INSIGHT_BASE_URL: running().url,
        INSIGHT_BIZ_NAME: ACCOUNT.bizName,
        INSIGHT_BIZ_SECRET: ACCOUNT.secret,
      };
    },
    get server() {
      return running();
    },
  };
}
