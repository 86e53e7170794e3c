// A lean keep-alive HTTP/1.1 client on `net` and `tls`: one request in flight per connection, prebuilt request heads,
// a byte-level response parser (h1parse.ts). Measured faster than undici's Pool for this workload
// (bench/RESULTS.md). It only has to speak to model servers, not to the whole web.
// Hot-path choices, each measured: sockets read through `onread` into one buffer shared by the pool (no stream
// machinery, no Buffer per read: responses are parsed synchronously before the next read can reuse it) — TLS
// sockets too, which decrypt into the same buffer; heads are parsed on bytes without building strings; ASCII
// request bodies go out as latin1 (a memcpy, no UTF-8 encoding); the `done` callback is the caller's, so a caller
// can pass a prebound function and allocate no closure per request.
// Persistence (RFC 9112 §9): a connection the server will close (`Connection: close`, HTTP/1.0, a body delimited by
// close) is closed after its answer, and one idle longer than the server's `Keep-Alive: timeout` hint is replaced
// before it is written to. A request that dies on a connection that had sat idle, before any byte of its answer,
// is sent once more on a fresh connection (docs/scenario-reference.md, "Connections").
import net from 'node:net';
import type tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { errorCodeIndex } from '../types.js';
import { PARSE_DONE, PARSE_MORE, PARSE_TOO_LARGE, ResponseParser } from './h1parse.js';
import { createSecureContext, serverNameOf } from './tls.js';
import type { HttpTarget, TlsMaterial } from '../task.js';
export type { HttpTarget };
import { nodeTls } from '../../util/node-tls.js';

/** Called once per request: exactly one of (response) or (errorCode) is set. */
export type Done = (status: number, body: string | null, errorCode: number) => void;

const CRLF = '\r\n';
const E_TIMEOUT = errorCodeIndex('TIMEOUT');
const E_REFUSED = errorCodeIndex('ECONNREFUSED');
const E_RESET = errorCodeIndex('ECONNRESET');
const E_PIPE = errorCodeIndex('EPIPE');
const E_CLOSED = errorCodeIndex('SOCKET_CLOSED');
const E_CONNECT = errorCodeIndex('CONNECT_ERROR');
const E_PARSE = errorCodeIndex('PARSE_HTTP');
const E_TOO_LARGE = errorCodeIndex('RESPONSE_TOO_LARGE');
const E_TLS = errorCodeIndex('TLS_ERROR');

/** The read buffer shared by a pool's sockets; a response that does not fit is accumulated per connection. */
const READ_BUFFER_BYTES = 64 * 1024;
/**
 * A request that fails before any byte of its answer is retried once on a fresh connection only when its connection
 * had been idle at least this long: then the failure is the server's idle timer closing the connection as the
 * request went out (no server we know closes idle connections sooner: gunicorn 2 s, uvicorn and Node 5 s, nginx
 * 75 s). On a busy connection the same failure is the server dropping a request it read, and counts as an error.
 */
export const STALE_IDLE_MS = 1000;
/** Replace a connection before the server's `Keep-Alive: timeout` ends: this much earlier (at most half of it). */
const KEEP_ALIVE_MARGIN_MS = 1000;

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|_SIGNATURE|INVALID_CA/;

export function errorCodeOf(err: NodeJS.ErrnoException): number {
  switch (err.code) {
    case 'ECONNREFUSED':
      return E_REFUSED;
    case 'ECONNRESET':
      return E_RESET;
    case 'EPIPE':
      return E_PIPE;
    case 'ETIMEDOUT':
      return E_TIMEOUT;
    default:
      return err.code && TLS_CODE.test(err.code) ? E_TLS : E_CONNECT;
  }
}

/** What a pool's connections share. */
interface PoolShared {
  readonly target: HttpTarget;
  readonly head: string;
  readonly readBuffer: Buffer;
  readonly secureContext: tls.SecureContext | null;
  /** The latest TLS session ticket, so new connections resume instead of a full handshake. */
  tlsSession: Buffer | undefined;
}

/** One keep-alive connection. `busy` while a request is in flight. */
export class Connection {
  private socket: net.Socket | null = null;
  private connected = false;
  private pendingWrite: string | null = null;
  private pendingEncoding: BufferEncoding = 'latin1';
  private done: Done | null = null;
  private readonly parser: ResponseParser;
  /** The request in flight, kept for its one retry on a fresh connection. */
  private req = '';
  private reqEncoding: BufferEncoding = 'latin1';
  /** performance.now() when the socket last finished something (connected, or answered a request). */
  private idleSinceMs = 0;
  /** Do not write to the socket after it has been idle this long (from the server's Keep-Alive hint). */
  private idleLimitMs = Infinity;
  /** The request in flight went out on a connection that had been idle ≥ STALE_IDLE_MS. */
  private staleCandidate = false;
  /** performance.now() when the last answer was read: `done` can use it as the answer's time (one clock read less). */
  answeredAtMs = 0;
  /** The request in flight (or just answered) was sent a second time on a fresh connection. Reset by send(). */
  retried = false;
  deadlineMs = Infinity;

  constructor(
    private readonly pool: PoolShared,
    /** Index of this connection in its pool (stable; lets a caller keep per-connection state in an array). */
    readonly id: number,
  ) {
    this.parser = new ResponseParser(pool.target.maxResponseBytes);
  }

  get busy(): boolean {
    return this.done !== null;
  }

  /**
   * Send one request; `done` is called exactly once (never synchronously). `nowMs` (performance.now()) saves a clock
   * read when the caller has just read the clock anyway.
   */
  send(body: string, done: Done, deadlineMs: number, nowMs = performance.now()): void {
    this.done = done;
    this.deadlineMs = deadlineMs;
    this.retried = false;
    const bytes = Buffer.byteLength(body);
    const req = this.pool.head + bytes + CRLF + CRLF + body;
    // Byte length = string length means every char is ASCII: latin1 then writes the same bytes, without UTF-8 encoding.
    const enc: BufferEncoding = bytes === body.length ? 'latin1' : 'utf8';
    this.req = req;
    this.reqEncoding = enc;
    if (this.socket && this.connected) {
      const idleMs = nowMs - this.idleSinceMs;
      if (idleMs <= this.idleLimitMs) {
        this.staleCandidate = idleMs >= STALE_IDLE_MS;
        this.socket.write(req, enc);
        return;
      }
      this.destroySocket(); // past the server's keep-alive timeout: it may close it any moment
    }
    this.staleCandidate = false;
    this.pendingWrite = req;
    this.pendingEncoding = enc;
    if (!this.socket) this.open();
  }

  /** Open the socket ahead of the first request; resolves once connected or failed (failures surface on use). */
  warm(): Promise<void> {
    if (this.socket) return Promise.resolve();
    this.open();
    const s = this.socket!;
    return new Promise((resolve) => {
      s.once(this.pool.secureContext ? 'secureConnect' : 'connect', () => resolve());
      s.once('close', () => resolve());
    });
  }

  /** Abort the in-flight request with an error code (timeout, shutdown); the socket is discarded. */
  fail(code: number): void {
    const done = this.done;
    this.reset();
    this.destroySocket();
    if (done) done(0, null, code);
  }

  close(): void {
    this.destroySocket();
  }

  private open(): void {
    const t = this.pool.target;
    const onread = {
      buffer: this.pool.readBuffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        if (this.socket === s) this.onRead(n, buf as Buffer);
        return true; // keep reading
      },
    };
    const ctx = this.pool.secureContext;
    let s: net.Socket;
    if (ctx) {
      const servername = serverNameOf(t.host);
      const session = this.pool.tlsSession;
      // `onread` works on TLS sockets too: decrypted bytes land in the shared buffer (measured: bench/README.md).
      s = nodeTls().connect({
        host: t.host,
        port: t.port,
        onread,
        secureContext: ctx,
        rejectUnauthorized: t.tls!.rejectUnauthorized,
        ...(servername && { servername }),
        ...(session && { session }),
      } as tls.ConnectionOptions);
      s.setNoDelay(true);
      s.on('session', (ticket: Buffer) => (this.pool.tlsSession = ticket));
    } else {
      s = net.connect({ host: t.host, port: t.port, noDelay: true, onread });
    }
    this.socket = s;
    s.on(ctx ? 'secureConnect' : 'connect', () => {
      if (this.socket !== s) return;
      this.connected = true;
      this.idleSinceMs = performance.now();
      if (this.pendingWrite !== null) {
        s.write(this.pendingWrite, this.pendingEncoding);
        this.pendingWrite = null;
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (this.socket !== s) return;
      const code = this.connected ? (err.code === 'EPIPE' ? E_PIPE : TLS_CODE.test(err.code ?? '') ? E_TLS : E_RESET) : errorCodeOf(err);
      this.socketEnded(code);
    });
    // The server closed its side: the end of a body delimited by close, or of an idle or dying connection.
    s.on('end', () => {
      if (this.socket !== s) return;
      if (this.done && this.parser.untilClose) {
        this.parser.eof();
        this.complete();
        return;
      }
      this.socketEnded(E_CLOSED);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socketEnded(E_CLOSED);
    });
  }

  /** The socket failed or was closed by the server; the request in flight (if any) is retried or fails with `code`. */
  private socketEnded(code: number): void {
    const s = this.socket!;
    this.socket = null;
    this.connected = false;
    s.destroy();
    if (this.done && this.staleCandidate && !this.retried && !this.parser.started) {
      // Nothing of an answer came back on a connection that had sat idle: the server's idle timer closed it as the
      // request went out, so the server never saw the request. Send it again, once, on a new connection.
      this.retried = true;
      this.staleCandidate = false;
      this.pendingWrite = this.req;
      this.pendingEncoding = this.reqEncoding;
      this.open();
      return;
    }
    this.pendingWrite = null;
    const done = this.done;
    this.reset();
    if (done) done(0, null, code);
  }

  private destroySocket(): void {
    const s = this.socket;
    this.socket = null;
    this.connected = false;
    this.pendingWrite = null;
    if (s) s.destroy();
  }

  private reset(): void {
    this.done = null;
    this.parser.reset();
    this.staleCandidate = false;
    this.deadlineMs = Infinity;
  }

  /** `buf` is the pool's shared read buffer: the parser copies what it keeps before returning. */
  private onRead(n: number, buf: Buffer): void {
    if (!this.done) {
      // Bytes nobody asked for (after a timeout, or a server's parting 408): the connection is out of step.
      this.destroySocket();
      return;
    }
    const r = this.parser.feed(buf, 0, n, true);
    if (r === PARSE_MORE) return;
    if (r !== PARSE_DONE) return this.fail(r === PARSE_TOO_LARGE ? E_TOO_LARGE : E_PARSE);
    this.complete();
  }

  private complete(): void {
    const p = this.parser;
    const done = this.done!;
    const status = p.status;
    const body = p.body;
    if (p.keepAliveTimeoutMs !== Infinity) this.idleLimitMs = p.keepAliveTimeoutMs - Math.min(KEEP_ALIVE_MARGIN_MS, p.keepAliveTimeoutMs / 2);
    const keep = p.keepAlive;
    this.reset();
    const nowMs = performance.now();
    this.answeredAtMs = nowMs;
    if (keep) this.idleSinceMs = nowMs;
    else this.destroySocket(); // the server closes it after this answer: never write into it
    done(status, body, 0);
  }
}

/**
 * The request head up to and including `Content-Length: ` (the length and body are appended per request): the same
 * bytes for every request. A scenario `Host` or `Content-Type` header replaces the default one (names compared
 * case-insensitively), so neither is ever sent twice.
 */
export function buildHead(t: HttpTarget): string {
  let host = t.hostHeader;
  let contentType = t.contentType;
  let rest = '';
  for (const [k, v] of Object.entries(t.headers)) {
    const lower = k.toLowerCase();
    if (lower === 'host') host = v;
    else if (lower === 'content-type') contentType = v;
    else rest += `${k}: ${v}${CRLF}`;
  }
  return `POST ${t.path} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: keep-alive${CRLF}Content-Type: ${contentType}${CRLF}${rest}Content-Length: `;
}

/** A growing set of connections to one target; idle connections are reused (LIFO keeps them warm). */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly shared: PoolShared;

  constructor(target: HttpTarget) {
    this.shared = {
      target,
      head: buildHead(target),
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      secureContext: target.tls ? createSecureContext(target.tls) : null,
      tlsSession: undefined,
    };
  }

  acquire(): Connection {
    const c = this.idle.pop();
    if (c) return c;
    const n = new Connection(this.shared, this.all.length);
    this.all.push(n);
    return n;
  }

  release(c: Connection): void {
    this.idle.push(c);
  }

  /**
   * Open `n` idle connections before the load starts (at most `timeoutMs`), so the first second does not pay for
   * connection set-up: a burst of connects on a cold pool is what tipped open-loop runs into a spiral of late sends.
   */
  async prewarm(n: number, timeoutMs: number): Promise<void> {
    const fresh: Connection[] = [];
    while (this.all.length < n) {
      const c = new Connection(this.shared, this.all.length);
      this.all.push(c);
      fresh.push(c);
    }
    // LIFO reuse: the first ones opened are used first.
    for (let i = fresh.length - 1; i >= 0; i--) this.idle.push(fresh[i]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.all(fresh.map((c) => c.warm())), timeout]);
    clearTimeout(timer);
  }

  /** How many connections this pool has opened (ids are 0 .. size-1). */
  get size(): number {
    return this.all.length;
  }

  /** Fail every request whose deadline passed. */
  sweep(nowMs: number): void {
    for (const c of this.all) if (c.busy && c.deadlineMs <= nowMs) c.fail(E_TIMEOUT);
  }

  /** The earliest deadline of a request in flight (Infinity when idle). */
  earliestDeadlineMs(): number {
    let d = Infinity;
    for (const c of this.all) if (c.busy && c.deadlineMs < d) d = c.deadlineMs;
    return d;
  }

  inFlight(): number {
    let n = 0;
    for (const c of this.all) if (c.busy) n++;
    return n;
  }

  close(): void {
    for (const c of this.all) c.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}

export interface ParsedUrl {
  host: string;
  port: number;
  path: string;
  hostHeader: string;
  secure: boolean;
}

export function parseTargetUrl(url: string): ParsedUrl {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http:// and https:// targets are supported (got ${u.protocol})`);
  const secure = u.protocol === 'https:';
  // WHATWG URL keeps IPv6 brackets in `hostname` and drops the scheme's default port from `host`.
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port: u.port ? Number(u.port) : secure ? 443 : 80, path: (u.pathname || '/') + u.search, hostHeader: u.host, secure };
}
