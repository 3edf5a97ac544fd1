import { createMockServer, type MockServer } from '@insight/mock-server';

/** The Content Insight account of the test emulators. */
export const ACCOUNT = { bizName: 'cli-biz', secret: 'cli-secret' };

/** An emulator with a small corpus and no firehose, and the environment that points the CLI at it. */
export async function startInsightEmulator(): Promise<{ server: MockServer; env: Record<string, string> }> {
  const server = await createMockServer({
    insight: { accounts: [ACCOUNT], corpus: { size: 3000 }, firehoseRate: 0 },
  });
  const env = { INSIGHT_BASE_URL: server.url, INSIGHT_BIZ_NAME: ACCOUNT.bizName, INSIGHT_BIZ_SECRET: ACCOUNT.secret };
  return { server, env };
}
