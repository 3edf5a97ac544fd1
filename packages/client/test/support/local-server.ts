import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a local test server received it. */
export interface Received {
  method: string;
  /** Path and query string. */
  url: string;
  /** Header names lower-cased. */
  headers: IncomingHttpHeaders;
  /** Header names and values as they came over the wire, alternating. */
  rawHeaders: string[];
  body: Buffer;
}

/** A `node:http` server on 127.0.0.1 that records every request and answers through `handler`. */
export interface LocalServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** `127.0.0.1:port` */
  host: string;
  received: Received[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Answers one request; `index` counts requests from 0, across connections. */
export type Handler = (request: Received, response: ServerResponse, index: number) => unknown;

/** Starts a {@link LocalServer} on a free port. */
export async function startServer(handler: Handler): Promise<LocalServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      const index = received.push(request) - 1;
      Promise.resolve(handler(request, res, index)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A local port nothing listens on, so that connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Answers with a status, headers and a body. */
export function reply(
  response: ServerResponse,
  status: number,
  body: string | Uint8Array = '',
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, headers);
  response.end(body);
}
