import { BacktrackTaskInfo } from '@insight/protocol';
import { describe, expect, it } from 'vitest';
import { UserAbortError } from '../src/core/errors.js';
import { createTransport } from '../src/core/transport.js';
import { createInsightApi, fetchAccessToken } from '../src/insight/api.js';
import { createInsightClient } from '../src/insight/client.js';
import type { Pacer } from '../src/insight/pacer.js';
import { createStaticTokenManager } from '../src/insight/token-manager.js';
import { type LocalServer, reply } from './support/local-server.js';
import {
  openEvents,
  PATHS,
  type Route,
  useInsightServices,
  streamEvents,
  succeed,
  taskInfo,
} from './support/insight-service.js';

const { service, track } = useInsightServices();

/** A route whose first answer is a 503, and every later one `then`. */
function busyOnce(then: Route): Route {
  let calls = 0;
  return (url, response, request) => (++calls === 1 ? reply(response, 503, 'busy') : then(url, response, request));
}

/** The Insight calling convention over a real transport to `server`, with a pacer that records every slot taken. */
function pacedApi(server: LocalServer) {
  const transport = createTransport({ hosts: [server.url], maxRetries: 1, backoff: { baseMs: 1, capMs: 1 } });
  track(transport);
  const slots: string[] = [];
  const pacer: Pacer = {
    acquire: async (endpoint) => {
      slots.push(endpoint);
    },
  };
  const api = createInsightApi({ transport, bizName: 'biz', tokens: createStaticTokenManager('token'), pacer });
  return { api, transport, pacer, slots };
}

describe('pacing', () => {
  it('makes a retried call take a pacer slot for every attempt', async () => {
    const server = await service({ [PATHS.taskInfo]: busyOnce((_, response) => succeed(response, taskInfo({}))) });
    const { api, slots } = pacedApi(server);
    await api.call({
      endpoint: 'backtrackTaskInfo',
      query: { task_id: 7 },
      schema: BacktrackTaskInfo,
      replaySafe: true,
    });
    expect(server.received).toHaveLength(2);
    expect(slots).toEqual(['backtrackTaskInfo', 'backtrackTaskInfo']);
  });

  it('makes a retried stream opening take a pacer slot for every attempt', async () => {
    const server = await service({
      [PATHS.backtrackStream]: busyOnce((_, response) => {
        openEvents(response);
        response.end(streamEvents(0, 0, 0));
      }),
    });
    const { api, slots } = pacedApi(server);
    const body = await api.openStream('backtrackStream', { task_id: 7, collector: '0' }, new AbortController().signal);
    for await (const _ of body) break;
    expect(server.received).toHaveLength(2);
    expect(slots).toEqual(['backtrackStream', 'backtrackStream']);
  });

  it('makes a retried token request take a pacer slot for every attempt', async () => {
    const server = await service({
      [PATHS.accessToken]: busyOnce((_, response) => succeed(response, { access_token: 't', expire: 7200 })),
    });
    const { transport, pacer, slots } = pacedApi(server);
    await fetchAccessToken(transport, pacer, { bizName: 'biz', bizSecret: 'secret' });
    expect(slots).toEqual(['accessToken', 'accessToken']);
  });
});

describe('aborting a call before it is sent', () => {
  it('ends a call waiting for its pacing slot with UserAbortError', async () => {
    const server = await service({ [PATHS.taskInfo]: (_, response) => succeed(response, taskInfo({})) });
    const insight = createInsightClient({
      bizName: 'biz',
      accessToken: 'token',
      baseUrl: server.url,
      pacing: { backtrackTaskInfo: { limit: 1, windowMs: 600_000 } },
    });
    track(insight);
    await insight.backtrack.info(7);
    const controller = new AbortController();
    const waiting = insight.backtrack.info(7, { signal: controller.signal });
    // Once the pending work of the call has run, it waits for the window to move.
    await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBeInstanceOf(UserAbortError);
    await expect(waiting).rejects.toMatchObject({ cause: reason });
    expect(server.received).toHaveLength(1);
  });

  it('ends a call waiting for its access token with UserAbortError', async () => {
    // The token endpoint never answers.
    const server = await service({ [PATHS.accessToken]: () => {} });
    const insight = createInsightClient({ bizName: 'biz', bizSecret: 'secret', baseUrl: server.url });
    track(insight);
    const controller = new AbortController();
    const waiting = insight.backtrack.info(7, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(UserAbortError);
  });
});
