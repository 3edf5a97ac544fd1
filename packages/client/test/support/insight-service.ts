import type { ServerResponse } from 'node:http';
import { type BacktrackTaskInfo, INSIGHT_ENDPOINTS } from '@insight/protocol';
import { afterEach } from 'vitest';
import { type LocalServer, type Received, reply, startServer } from './local-server.js';

/** Paths of the Content Insight endpoints the tests serve. */
export const PATHS = {
  accessToken: INSIGHT_ENDPOINTS.accessToken.path,
  taskInfo: INSIGHT_ENDPOINTS.backtrackTaskInfo.path,
  backtrackStream: INSIGHT_ENDPOINTS.backtrackStream.path,
  realtimeStream: INSIGHT_ENDPOINTS.realtimeStream.path,
} as const;

/** Answers one request of a path, with its URL (query included) parsed. */
export type Route = (url: URL, response: ServerResponse, request: Received) => unknown;

/** A local Content Insight stand-in on a real socket: each path answers through its route, any other path 404. */
export function startInsightService(routes: Readonly<Record<string, Route>>): Promise<LocalServer> {
  return startServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const route = routes[url.pathname];
    if (!route) return refuse(response, 404, `no route for ${url.pathname}`);
    return route(url, response, request);
  });
}

/** Answers a successful call: the `{status, message, data}` envelope. */
export function succeed(response: ServerResponse, data: unknown): void {
  reply(response, 200, JSON.stringify({ status: 0, message: 'succeed', data }), {
    'content-type': 'application/json',
  });
}

/** Answers a refused call; `message` carries the bracketed code, e.g. `[40006]reached qps limit`. */
export function refuse(response: ServerResponse, status: number, message: string): void {
  const code = /^\[(\d+)\]/.exec(message)?.[1];
  reply(response, status, JSON.stringify({ status: code === undefined ? status : Number(code), message, data: null }), {
    'content-type': 'application/json',
  });
}

/**
 * Starts an event-stream answer. A `framed` one (chunked) tells a complete end from a cut one; an unframed one is
 * delimited by the close of the connection, as some proxies send it, so that a cut looks like an end.
 */
export function openEvents(response: ServerResponse, { framed = true }: { framed?: boolean } = {}): void {
  if (!framed) response.useChunkedEncodingByDefault = false;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

/** One stream event as the service sends it. */
export function streamEvent(collector: string | number, offset: number): string {
  const doc = { post_id: `${collector}-${offset}`, origin_id: 'o', status: 1, publish_time: '2026-01-01 00:00:00' };
  const data = JSON.stringify({ collector: String(collector), offset, msg_id: `m${offset}`, item_doc: doc });
  return `id: ${collector}:${offset}\ndata: ${data}\n\n`;
}

/** The events of a collector from `from` to `to`, inclusive. */
export function streamEvents(collector: string | number, from: number, to: number): string {
  let events = '';
  for (let offset = from; offset <= to; offset++) events += streamEvent(collector, offset);
  return events;
}

/** The info of a task, by default finished, whose collectors end at `maxOffsets`. */
export function taskInfo(
  maxOffsets: Record<string, number>,
  status: BacktrackTaskInfo['task_status'] = 'finished',
): BacktrackTaskInfo {
  return {
    task_status: status,
    task_cur_max_offset: Math.max(-1, ...Object.values(maxOffsets)),
    collector_cur_max_offset: maxOffsets,
    rule: JSON.stringify({ rule: ['in', 'x', { f: 'title' }], start_date: '2026-01-01', end_date: '2026-01-02' }),
    de_duplicate: true,
    limit: 1000,
  };
}

/**
 * For a test file: `service(routes)` starts an Insight service and `track(client)` takes a client; after each test the
 * services close first (closing a client waits for its requests, and a service that never answers would keep one
 * open), then the clients.
 */
export function useInsightServices() {
  const servers: LocalServer[] = [];
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await Promise.all(closers.splice(0).map((closer) => closer.close()));
  });
  return {
    async service(routes: Readonly<Record<string, Route>>): Promise<LocalServer> {
      const server = await startInsightService(routes);
      servers.push(server);
      return server;
    },
    track<T extends { close(): Promise<void> }>(closer: T): T {
      closers.push(closer);
      return closer;
    },
  };
}
