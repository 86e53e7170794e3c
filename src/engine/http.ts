// A lean keep-alive HTTP/1.1 client on `net`: one request in flight per connection, prebuilt request heads, a
// byte-level response parser (status, Content-Length or chunked). Measured faster than undici's Pool for this
// workload (bench/RESULTS.md). It only has to speak to model servers, not to the whole web.
// Hot-path choices, each measured: sockets read through `onread` into one buffer shared by the pool (no stream
// machinery, no Buffer per read: responses are parsed synchronously before the next read can reuse it); heads are
// parsed on bytes without building strings; ASCII request bodies go out as latin1 (a memcpy, no UTF-8 encoding);
// the `done` callback is the caller's, so a caller can pass a prebound function and allocate no closure per request.
import net from 'node:net';
import { errorCodeIndex } from './types.js';

export interface HttpTarget {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  contentType: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

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

/** A response head bigger than this is treated as malformed. */
const MAX_HEAD_BYTES = 65536;
/** The read buffer shared by a pool's sockets; a response that does not fit is accumulated per connection. */
const READ_BUFFER_BYTES = 64 * 1024;

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
      return E_CONNECT;
  }
}

// Header names, lower case, as bytes (matched case-insensitively by OR-ing 0x20 into the received byte).
const H_CONTENT_LENGTH = Buffer.from('content-length');
const H_TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const H_CONNECTION = Buffer.from('connection');
const HTTP_1 = Buffer.from('HTTP/1.');
const CLOSE = Buffer.from('close');

/** One keep-alive connection. `busy` while a request is in flight. */
export class Connection {
  private socket: net.Socket | null = null;
  private connected = false;
  private pendingWrite: string | null = null;
  private pendingEncoding: BufferEncoding = 'latin1';
  private done: Done | null = null;
  /** Bytes of the current response received so far, when it spans several reads (rare for small answers). */
  private acc: Buffer | null = null;
  // Parse state of the current response.
  private status = 0;
  private contentLength = -1;
  private chunked = false;
  private closeAfter = false;
  deadlineMs = Infinity;

  constructor(
    private readonly target: HttpTarget,
    private readonly head: string,
    private readonly readBuffer: Buffer,
    /** Index of this connection in its pool (stable; lets a caller keep per-connection state in an array). */
    readonly id: number,
  ) {}

  get busy(): boolean {
    return this.done !== null;
  }

  /** Send one request; `done` is called exactly once (never synchronously). */
  send(body: string, done: Done, deadlineMs: number): void {
    this.done = done;
    this.deadlineMs = deadlineMs;
    const bytes = Buffer.byteLength(body);
    const req = this.head + bytes + CRLF + CRLF + body;
    // Byte length = string length means every char is ASCII: latin1 then writes the same bytes, without UTF-8 encoding.
    const enc: BufferEncoding = bytes === body.length ? 'latin1' : 'utf8';
    if (this.socket && this.connected) {
      this.socket.write(req, enc);
    } else {
      this.pendingWrite = req;
      this.pendingEncoding = enc;
      if (!this.socket) this.open();
    }
  }

  /** Open the socket ahead of the first request; resolves once connected or failed (failures surface on use). */
  warm(): Promise<void> {
    if (this.socket) return Promise.resolve();
    this.open();
    const s = this.socket!;
    return new Promise((resolve) => {
      s.once('connect', () => resolve());
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
    const s = net.connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (this.socket === s) this.onRead(n, buf as Buffer);
          return true; // keep reading
        },
      },
    });
    this.socket = s;
    s.on('connect', () => {
      this.connected = true;
      if (this.pendingWrite !== null) {
        s.write(this.pendingWrite, this.pendingEncoding);
        this.pendingWrite = null;
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (this.socket !== s) return;
      const code = this.connected ? (err.code === 'EPIPE' ? E_PIPE : E_RESET) : errorCodeOf(err);
      this.abortSocket(code);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.abortSocket(E_CLOSED);
    });
  }

  private abortSocket(code: number): void {
    this.socket = null;
    this.connected = false;
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
    this.acc = null;
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.closeAfter = false;
    this.deadlineMs = Infinity;
  }

  /** `buf` is the pool's shared read buffer: everything needed from it is used or copied before returning. */
  private onRead(n: number, buf: Buffer): void {
    if (!this.done) return; // unsolicited bytes after a timeout; the socket is going away
    let data = buf;
    let len = n;
    if (this.acc !== null) {
      data = Buffer.concat([this.acc, buf.subarray(0, n)]);
      len = data.length;
    }
    const headLen = this.parseHead(data, len);
    if (headLen === -2) return this.fail(E_PARSE);
    let body: string | null = null;
    if (headLen >= 0) {
      if (this.chunked) body = decodeChunked(data, headLen, len);
      else if (headLen + this.contentLength <= len) body = data.toString('utf8', headLen, headLen + this.contentLength);
    }
    if (body === null) {
      if (len > MAX_HEAD_BYTES && headLen < 0) return this.fail(E_PARSE);
      // Incomplete: keep a private copy (the shared buffer is overwritten by the next read of any socket).
      if (this.acc === null) this.acc = Buffer.from(buf.subarray(0, n));
      else this.acc = data;
      return;
    }
    const done = this.done;
    const status = this.status;
    const closeAfter = this.closeAfter;
    this.reset();
    if (closeAfter) this.destroySocket();
    done(status, body, 0);
  }

  /**
   * Parse the status line and the headers we need from `b[0, len)`: returns the head length (body offset), -1 when
   * the head is not complete yet, -2 when it is malformed. Works on bytes: no strings are built.
   */
  private parseHead(b: Buffer, len: number): number {
    // "HTTP/1.x SSS" is 12 bytes; a wrong first byte is an error at once, not a wait for more.
    for (let j = 0; j < 7 && j < len; j++) if (b[j] !== HTTP_1[j]) return -2;
    if (len < 12) return -1;
    const status = (b[9] - 48) * 100 + (b[10] - 48) * 10 + (b[11] - 48);
    if (!(status >= 100 && status <= 599)) return -2;
    this.status = status;
    this.contentLength = -1;
    this.chunked = false;
    this.closeAfter = false;
    // A plain loop on '\n' (one comparison per byte) beats Buffer#indexOf here: heads are short, calls are not free.
    let i = 12;
    while (i < len && b[i] !== 10) i++;
    i++;
    let headLen = -1;
    while (i < len) {
      if (b[i] === 13) {
        if (i + 1 < len) headLen = i + 2; // the empty line
        break;
      }
      let eol = i;
      while (eol < len && b[eol] !== 10) eol++;
      if (eol >= len) break;
      this.header(b, i, b[eol - 1] === 13 ? eol - 1 : eol);
      i = eol + 1;
    }
    if (headLen < 0) return -1;
    if (this.chunked) return headLen;
    if (this.contentLength < 0) {
      if (this.status === 204 || this.status === 304) this.contentLength = 0;
      else return -2; // body delimited by close: not supported on a keep-alive client
    }
    return headLen;
  }

  /** One header line `b[start, end)` (without CRLF). */
  private header(b: Buffer, start: number, end: number): void {
    const c = b[start] | 0x20;
    if (c === 0x63 /* c */) {
      if (nameIs(b, start, end, H_CONTENT_LENGTH)) {
        let v = 0;
        let digits = 0;
        for (let i = start + H_CONTENT_LENGTH.length + 1; i < end; i++) {
          const d = b[i];
          if (d >= 48 && d <= 57) {
            v = v * 10 + (d - 48);
            digits++;
          } else if (d !== 32 && d !== 9) break;
        }
        if (digits > 0) this.contentLength = v;
      } else if (nameIs(b, start, end, H_CONNECTION)) {
        this.closeAfter = containsWord(b, start + H_CONNECTION.length + 1, end, CLOSE);
      }
    } else if (c === 0x74 /* t */ && nameIs(b, start, end, H_TRANSFER_ENCODING)) {
      this.chunked = b.toString('latin1', start + H_TRANSFER_ENCODING.length + 1, end).toLowerCase().includes('chunked');
    }
  }
}

/** True when the header line at `start` is `name:` (case-insensitive). */
function nameIs(b: Buffer, start: number, end: number, name: Buffer): boolean {
  const n = name.length;
  if (end - start <= n || b[start + n] !== 0x3a) return false;
  for (let j = 0; j < n; j++) if ((b[start + j] | 0x20) !== name[j]) return false;
  return true;
}

/** True when `b[start, end)` contains `word` (lower case), case-insensitively; no string is built. */
function containsWord(b: Buffer, start: number, end: number, word: Buffer): boolean {
  const n = word.length;
  for (let i = start; i + n <= end; i++) {
    let j = 0;
    while (j < n && (b[i + j] | 0x20) === word[j]) j++;
    if (j === n) return true;
  }
  return false;
}

/** Decode a complete chunked body in `buf[start, len)`, or null when more bytes are needed. */
function decodeChunked(buf: Buffer, start: number, len: number): string | null {
  const parts: Buffer[] = [];
  let i = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0 || eol + 2 > len) return null;
    const size = parseInt(buf.toString('latin1', i, eol), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) {
      // The last chunk, optional trailers, then an empty line.
      const end = buf.indexOf('\r\n\r\n', eol);
      if (end < 0 || end + 4 > len) return null;
      return Buffer.concat(parts).toString('utf8');
    }
    if (len < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/** The request head up to and including `Content-Length: ` (the length and body are appended per request). */
export function buildHead(t: HttpTarget): string {
  let h = `POST ${t.path} HTTP/1.1${CRLF}Host: ${t.host}:${t.port}${CRLF}Connection: keep-alive${CRLF}`;
  h += `Content-Type: ${t.contentType}${CRLF}`;
  for (const [k, v] of Object.entries(t.headers)) h += `${k}: ${v}${CRLF}`;
  return h + 'Content-Length: ';
}

/** A growing set of connections to one target; idle connections are reused (LIFO keeps them warm). */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly head: string;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  constructor(private readonly target: HttpTarget) {
    this.head = buildHead(target);
  }

  acquire(): Connection {
    const c = this.idle.pop();
    if (c) return c;
    const n = new Connection(this.target, this.head, this.readBuffer, this.all.length);
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
      const c = new Connection(this.target, this.head, this.readBuffer, this.all.length);
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

export function parseTargetUrl(url: string): { host: string; port: number; path: string } {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`only http:// targets are supported by the fast client (got ${u.protocol})`);
  return { host: u.hostname, port: u.port ? Number(u.port) : 80, path: (u.pathname || '/') + u.search };
}
