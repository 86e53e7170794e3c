// The small HTTP servers of the live outputs (dashboard, /metrics): bound before the wave, on 127.0.0.1 unless the
// user names another host, closed with every open connection (an SSE stream never ends by itself).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { usageError } from '../errors.js';

export interface LocalServer {
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:5665 (the port actually bound: 0 picks a free one). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** `HOST:PORT`, `[v6]:PORT`, `:PORT` or `PORT` → host (default 127.0.0.1) and port; usage error naming `flag`. */
export function parseHostPort(flag: string, v: string, defaultHost = '127.0.0.1'): { host: string; port: number } {
  const t = v.trim();
  const colon = t.lastIndexOf(':');
  let host = colon < 0 ? '' : t.slice(0, colon);
  const portText = colon < 0 ? t : t.slice(colon + 1);
  const bracketed = host.startsWith('[') && host.endsWith(']');
  if (bracketed) host = host.slice(1, -1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535 || /[\s/[\]]/.test(host) || (host.includes(':') && (!bracketed || isIP(host) !== 6))) {
    throw usageError(`${flag} must be HOST:PORT or PORT, e.g. 127.0.0.1:9464 (got ${JSON.stringify(v)})`);
  }
  host ||= defaultHost;
  return { host, port };
}

/** A port number for `flag`: an integer 0..65535 (0 picks a free port). */
export function parsePort(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw usageError(`${flag} must be a port number 0..65535 (got ${JSON.stringify(v)}); 0 picks a free port`);
  return n;
}

const urlHost = (h: string) => (isIP(h) === 6 ? `[${h}]` : h);

/**
 * Accept only requests whose Host header names this server as bound (or localhost): a page on another site cannot
 * reach the dashboard through DNS rebinding.
 */
export function hostAllowed(req: IncomingMessage, host: string, port: number): boolean {
  const h = (req.headers.host ?? '').toLowerCase();
  const names = [urlHost(host), 'localhost', '127.0.0.1', '[::1]'].map((n) => `${n.toLowerCase()}:${port}`);
  return names.includes(h) || (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost');
}

export async function listenLocal(
  host: string,
  port: number,
  flag: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(usageError(`${flag}: port ${port} on ${host} is in use; choose another port (0 picks a free one)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') reject(usageError(`${flag}: ${host} is not an address of this machine; use 127.0.0.1 (the default)`));
      else if (err.code === 'EACCES') reject(usageError(`${flag}: not allowed to listen on port ${port}; use a port above 1023`));
      else reject(usageError(`${flag}: cannot listen on ${host}:${port} (${err.code ?? err.message})`));
    });
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  // A browser tab left open must not keep the process alive once the run is over.
  server.unref();
  return {
    server,
    url: `http://${urlHost(host)}:${bound}`,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
