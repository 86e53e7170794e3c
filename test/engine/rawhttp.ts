// Test servers that write HTTP by hand (over `net` or `tls`), so a test decides every byte of the answer and how the
// connection ends — what a real server does that modelwave's own reference server never would.
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { CLI } from './helpers.js';

export interface RawRequest {
  head: string;
  body: string;
  /** Index of the connection (in accept order) the request came on, and of the request on it. */
  conn: number;
  nth: number;
}

export interface RawServer {
  port: number;
  requests: RawRequest[];
  /** Connections accepted (TLS: handshakes completed). */
  connections: number;
  /** SNI names the TLS clients sent. */
  servernames: (string | false | null)[];
  close(): Promise<void>;
}

/** Reply to one request: write bytes to the socket (or close it, or stay silent). */
export type Reply = (req: RawRequest, sock: net.Socket) => void;

export function rawHttpServer(reply: Reply, tlsOptions?: tls.TlsOptions): Promise<RawServer> {
  const socks = new Set<net.Socket>();
  const out: RawServer = { port: 0, requests: [], connections: 0, servernames: [], close: async () => {} };
  const onSocket = (sock: net.Socket) => {
    const conn = out.connections++;
    if (sock instanceof tls.TLSSocket) out.servernames.push(sock.servername);
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    let nth = 0;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end + 4);
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req: RawRequest = { head, body: buf.toString('utf8', end + 4, end + 4 + len), conn, nth: nth++ };
        buf = buf.subarray(end + 4 + len);
        out.requests.push(req);
        reply(req, sock);
      }
    });
  };
  const srv = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  srv.on('tlsClientError', () => {});
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      out.port = (srv.address() as net.AddressInfo).port;
      out.close = () =>
        new Promise((r) => {
          for (const s of socks) s.destroy();
          srv.close(() => r());
        });
      resolve(out);
    });
  });
}

/** A Cloudera-style prediction, as the bench's nginx answers it. */
export const PREDICTION = '{"success":true,"response":{"prediction":1,"uuid":"x"}}';

/** A complete HTTP/1.1 200 response with Content-Length. */
export const ok200 = (body = PREDICTION, extraHeaders = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extraHeaders}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** A small telco scenario (cloudera protocol) as YAML text; `target` is the YAML of the target mapping's extra keys. */
export function scenarioText(o: { url: string; load: string; target?: string; extra?: string; timeout?: string }): string {
  return `name: raw-http
seed: 3
target:
  url: "${o.url}"
  protocol: cloudera
  timeout: ${o.timeout ?? '2s'}
${o.target ?? ''}
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  classes: [0, 1]
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
${o.load}
${o.extra ?? ''}
`;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** The CLI in a child process, without blocking this event loop (the test's servers keep answering). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CliResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env }, (err, stdout, stderr) => {
      const status = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ status: typeof status === 'number' ? status : null, stdout, stderr, wallMs: Date.now() - t0 });
    });
  });
}
