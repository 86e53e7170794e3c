// The HTTP side shared by the strict servers: read the whole body, hand the request to the server's handler, write
// its reply with the real server's content type. Besides the real server's paths, each answers GET /strict/stats
// (requests, replies by status, rows predicted, server-specific counters) so tests can check what arrived.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelwaveError } from '../../errors.js';

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

export interface RunningStrictServer {
  /** http://HOST:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
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
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.socket.destroy();
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
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
            body: Buffer.concat(chunks).toString('utf8'),
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
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxRequestsPerSocket = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ModelwaveError('MW_USAGE', `strict server cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? err.message}`, [], { cause: err })),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
