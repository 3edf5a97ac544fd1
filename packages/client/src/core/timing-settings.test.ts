import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createInsightClient } from '../insight/client.js';
import { RequestValidationError } from './errors.js';

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

/** A MockAgent that refuses every connection and counts the requests that reached it. */
function offline() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  let requests = 0;
  agent
    .get('https://insight.test')
    .intercept({ path: () => true, method: () => true })
    .reply(() => {
      requests++;
      return { statusCode: 200, data: '{}' };
    })
    .persist();
  return { agent, requests: () => requests };
}

const base = { bizName: 'biz', accessToken: 'token', baseUrl: 'https://insight.test' };

describe('Content Insight client: timing settings go through the transport checks', () => {
  it.each([
    [{ timeout: Number.POSITIVE_INFINITY }, /^createTransport: timeout must be an integer from 1 to 2147483647/],
    [{ timeout: 2 ** 31 }, /timeout must be an integer/],
    [{ maxRetries: -1 }, /^createTransport: maxRetries must be a non-negative integer/],
    [{ backoff: { capMs: Number.NaN } }, /^createTransport: backoff\.capMs must be a finite number/],
  ])('refuses %o when created', (settings, message) => {
    expect(() => createInsightClient({ ...base, ...settings })).toThrow(TypeError);
    expect(() => createInsightClient({ ...base, ...settings })).toThrow(message);
  });

  it('refuses a per-call timeout out of range before sending', async () => {
    const { agent, requests } = offline();
    const insight = createInsightClient({ ...base, dispatcher: agent, pacing: false });
    const error = await insight.backtrack.info(1, { timeout: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    expect(error).toMatchObject({ issues: [{ path: 'timeout' }] });
    expect(requests()).toBe(0);
    await insight.close();
  });
});
