// The HTTP side shared by the strict servers: read the whole body, hand the request to the server's handler, write
// its reply with the real server's content type. Besides the real server's paths, each answers GET /strict/stats
// (requests, replies by status, rows predicted, server-specific counters) so tests can check what arrived.
import http, { type IncomingHttpHeaders } from 'node:http';
import { listen, readBody, type Listening } from '../http.js';

export interface StrictRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StrictReply {
  status: number;
  body: string;
  /** Default application/json. */
  contentType?: string;
  /** Rows answered with a prediction (0 for a rejection). */
  rows?: number;
}

export interface StrictHandler {
  handle(req: StrictRequest): StrictReply;
  /** Extra counters for /strict/stats (e.g. delayed metrics received). */
  stats?(): Record<string, unknown>;
}

/** url (http://HOST:PORT), port and close(), as server/http.ts listens. */
export type RunningStrictServer = Listening;

const STATS_PATH = '/strict/stats';

export const json = (status: number, body: string, rows = 0): StrictReply => ({ status, body, rows });
export const text = (status: number, body: string): StrictReply => ({ status, body, contentType: 'text/plain; charset=utf-8', rows: 0 });

export async function listenStrict(name: string, handler: StrictHandler, opts: { host?: string; port?: number }): Promise<RunningStrictServer> {
  const host = opts.host ?? '127.0.0.1';
  let requests = 0;
  let rows = 0;
  const byStatus: Record<string, number> = {};

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    readBody(req, (requestBody) => {
      if (requestBody === null) return; // the client went away, or the body is over the cap: no one to answer
      let reply: StrictReply;
      if (url.pathname === STATS_PATH && req.method === 'GET') {
        reply = json(200, JSON.stringify({ server: name, requests, rows, responsesByStatus: byStatus, ...handler.stats?.() }));
      } else {
        requests++;
        try {
          reply = handler.handle({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body: requestBody,
          });
        } catch (err) {
          // A bug in a strict server must show as one, not as a protocol answer a test could mistake for the real one.
          reply = text(599, `strict server ${name} failed: ${(err as Error).stack ?? String(err)}`);
        }
        byStatus[reply.status] = (byStatus[reply.status] ?? 0) + 1;
        rows += reply.rows ?? 0;
      }
      const body = Buffer.from(reply.body, 'utf8');
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  return listen(server, host, opts.port, 'strict server');
}
