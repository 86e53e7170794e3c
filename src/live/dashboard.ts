// `--dashboard`: the live page on `/` and its Server-Sent Events on `/events` (each `data:` a LiveEvent; a client
// that connects late first gets every event so far, so its charts start at t = 0). After the final event an `end`
// event tells the page to stop reconnecting.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { LiveEvent } from './event.js';
import { hostAllowed, listenLocal, type LocalServer } from './listen.js';
import { dashboardPage, type PageConfig } from './page.js';

/** Events kept for late clients: two hours of seconds (older ticks dropped first; closed windows are kept apart). */
const HISTORY_MAX = 7200;

export interface Dashboard {
  url: string;
  publish(e: LiveEvent): void;
  close(): Promise<void>;
}

export async function startDashboard(host: string, port: number, cfg: PageConfig): Promise<Dashboard> {
  const history: string[] = [];
  /** Windows of events dropped from the history, replayed as one synthetic catch-up so the accuracy chart stays whole. */
  const droppedWindows: LiveEvent['windows'] = [];
  const clients = new Set<ServerResponse>();
  let ended = false;
  let server: LocalServer | undefined;

  const send = (res: ServerResponse, data: string) => res.write(`data: ${data}\n\n`);
  server = await listenLocal(host, port, '--dashboard-port', (req, res) => {
    if (!hostAllowed(req, server!.host, server!.port)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // Nothing but this origin: no CDN, no font, no beacon can load even if a string slipped through.
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      });
      res.end(req.method === 'HEAD' ? undefined : dashboardPage(cfg, nonce));
    } else if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      if (droppedWindows.length > 0) send(res, JSON.stringify({ catchUp: true, windows: droppedWindows }));
      for (const h of history) send(res, h);
      if (ended) {
        res.end('event: end\ndata: {}\n\n');
        return;
      }
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });

  return {
    url: `${server.url}/`,
    publish(e) {
      const data = JSON.stringify(e);
      history.push(data);
      if (history.length > HISTORY_MAX) {
        const old = JSON.parse(history.shift()!) as LiveEvent;
        droppedWindows.push(...old.windows);
      }
      for (const c of clients) send(c, data);
      if (e.type === 'final') {
        ended = true;
        for (const c of clients) c.end('event: end\ndata: {}\n\n');
        clients.clear();
      }
    },
    close: () => server!.close(),
  };
}
