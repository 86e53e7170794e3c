// What the built-in servers (the reference server and the strict stand-ins) do alike with node:http: read a whole
// request body under one size cap, and listen — with keep-alive settings that leave closing an idle connection to
// the client, a usage error (exit 2) naming the address when the port cannot be bound, and a close() that drops
// open connections rather than wait for answers still pending.
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelwaveError } from '../errors.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Collect the body; `done(null)` if the client went away first or it is larger than MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage, done: (body: string | null) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (body: string | null) => {
    if (finished) return;
    finished = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.socket.destroy();
      finish(null);
    } else if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => finish(more ? Buffer.concat(more).toString() : first ? first.toString() : ''));
  req.on('error', () => finish(null));
}

export interface Listening {
  /** http://HOST:PORT as a client on this machine reaches it (0.0.0.0 and :: → 127.0.0.1), no trailing slash. */
  url: string;
  port: number;
  /** Stops listening and drops open connections (pending answers are abandoned); the same promise every call. */
  close(): Promise<void>;
}

/** Listen on `host:port` (0 or absent: any free port); `what` names the server in the error. */
export async function listen(server: http.Server, host: string, port: number | undefined, what: string): Promise<Listening> {
  // Load generators hold connections open between bursts; never be the side that closes an idle one first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxRequestsPerSocket = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ModelwaveError('MW_USAGE', `${what} cannot listen on ${host}:${port ?? 0}: ${err.code ?? err.message}`, [], { cause: err })),
    );
    server.listen(port ?? 0, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
