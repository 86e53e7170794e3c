// The client's HTTP/1.x response parser (RFC 9112), fed one connection's bytes as they arrive, in any split.
// Framing (§6.3): no body for 204/304; Transfer-Encoding ending in chunked; else Content-Length; else the body runs
// until the server closes. Interim 1xx responses (100 Continue, 103 Early Hints) are skipped (RFC 9110 §15.2).
// Persistence (§9.3): HTTP/1.1 stays open unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
// Linear in the body size: a body that fits the read is decoded in place; a longer Content-Length body is copied once
// into a buffer of that length; chunked and until-close bodies are kept as a list of pieces and joined once.
// Heads are parsed on bytes (no strings built): this runs for every response of the wave. A server sends the same
// head again and again (until its Date changes, once a second): a head equal byte for byte to the last one parsed
// is not parsed again, its reading is reused: compared four bytes at a time in JS when the bytes are 4-aligned in
// their ArrayBuffer, as the shared read buffer's are (Buffer#compare's C++ call cost ~0.2 µs of its ~0.3 µs in the
// profile). A server whose heads differ every time (a request id) stops the comparisons after HEAD_MISSES_MAX of them.

import {
  CHUNKED_TOKEN,
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_KEEP_ALIVE,
  H_TRANSFER_ENCODING,
  TIMEOUT,
  TOKEN_CLOSE,
  TOKEN_KEEP_ALIVE,
  connectionTokens,
  hexValue,
  lastTokenIs,
  nameIs,
  paramValue,
  parseLength,
} from './h1fields.js';

export const PARSE_MORE = 0;
export const PARSE_DONE = 1;
export const PARSE_ERROR = 2;
export const PARSE_TOO_LARGE = 3;
export type ParseResult = typeof PARSE_MORE | typeof PARSE_DONE | typeof PARSE_ERROR | typeof PARSE_TOO_LARGE;

/** A response head bigger than this is treated as malformed (also bounds chunk extensions and trailers). */
export const MAX_HEAD_BYTES = 65536;

// Head flags.
const F_HTTP10 = 1;
const F_CLOSE = 2;
const F_KEEP_ALIVE = 4;
const F_TRANSFER_ENCODING = 8;
const F_CHUNKED = 16;
const F_BAD = 32;

const HEAD = 0;
const LENGTH = 1;
const CHUNKED = 2;
const UNTIL_CLOSE = 3;
const DONE = 4;

// Chunked decoder states.
const C_SIZE = 0;
const C_EXT = 1;
const C_SIZE_LF = 2;
const C_DATA = 3;
const C_DATA_CR = 4;
const C_DATA_LF = 5;
const C_TRAILER = 6;

const HTTP_1 = Buffer.from('HTTP/1.');
/** Heads in a row unlike the one before after which a parser stops keeping and comparing heads. */
const HEAD_MISSES_MAX = 16;

export class ResponseParser {
  status = 0;
  /** The decoded body, valid after PARSE_DONE. */
  body = '';
  /** The connection may carry another request after this response. */
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=N` hint in ms (Infinity when none was given). */
  keepAliveTimeoutMs = Infinity;
  /** A byte of the response (of an interim one included) has arrived since the last reset(). */
  started = false;

  private phase = HEAD;
  /** Head bytes of a head split across reads (rare: heads are short). */
  private headAcc: Buffer | null = null;
  /** What the head said, as bits (F_*): one field to reset per head, on a path that runs for every response. */
  private flags = 0;
  private contentLength = -1;
  // Body accumulation.
  private bodyBuf: Buffer | null = null;
  private filled = 0;
  private parts: Buffer[] = [];
  /** parts[partsOwned..] still point into the caller's shared buffer; copied before feed() returns PARSE_MORE. */
  private partsOwned = 0;
  private total = 0;
  // Chunked decoder.
  private cState = C_SIZE;
  private cSize = 0;
  private cDigits = 0;
  private cLine = 0;
  private cExtra = 0;
  // The last head parsed (a copy of its bytes, also as 32-bit words) and what it said.
  private lastHead: Buffer | null = null;
  private lastHeadWords = new Int32Array(0);
  /**
   * A 32-bit view of the ArrayBuffer under `wordsOf`, the last Buffer a head was compared in (the shared read buffer,
   * mostly), and that Buffer's byteOffset. Kept by Buffer: reading `.buffer` is a runtime call, not a field load.
   */
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordsOf: Buffer | null = null;
  private wordsBase = 0;
  private lastStatus = 0;
  private lastFlags = 0;
  private lastContentLength = -1;
  private lastKeepAliveMs = Infinity;
  /** Heads parsed in a row since the last one that was the same as the one before. */
  private headMisses = 0;

  constructor(private readonly maxBodyBytes: number) {}

  /** Forget the current response (before the next request, or after an error). */
  reset(): void {
    this.status = 0;
    this.body = '';
    this.started = false;
    this.phase = HEAD;
    this.headAcc = null;
    // Head fields are reset by parseHead(); body fields only need it after a body that was accumulated.
    if (this.total !== 0 || this.filled !== 0 || this.bodyBuf !== null) {
      this.bodyBuf = null;
      this.filled = 0;
      if (this.parts.length !== 0) this.parts.length = 0; // setting an array's length is a runtime call: skip it when empty
      this.partsOwned = 0;
      this.total = 0;
    }
  }

  /** The body runs until the server closes the connection. */
  get untilClose(): boolean {
    return this.phase === UNTIL_CLOSE;
  }

  /**
   * Take `b[start, end)`. `shared`: the caller reuses `b` once this returns, so whatever must outlive the call is
   * copied. After PARSE_DONE, `status`, `body`, `keepAlive` and `keepAliveTimeoutMs` describe the response.
   */
  feed(b: Buffer, start: number, end: number, shared: boolean): ParseResult {
    this.started = true;
    let i = start;
    for (;;) {
      if (this.phase === HEAD) {
        if (this.headAcc !== null) {
          // A head split across reads: join with the earlier bytes (bounded by MAX_HEAD_BYTES); the join is ours.
          b = Buffer.concat([this.headAcc, b.subarray(i, end)]);
          i = 0;
          end = b.length;
          shared = false;
          this.headAcc = null;
        }
        const h = this.sameHead(b, i, end) ? this.reuseHead() : this.parseHead(b, i, end);
        if (h === -2) return PARSE_ERROR;
        if (h === -1) {
          if (end - i > MAX_HEAD_BYTES) return PARSE_ERROR;
          this.headAcc = shared ? Buffer.from(b.subarray(i, end)) : b.subarray(i, end);
          return PARSE_MORE;
        }
        i += h;
        if (this.status < 200) {
          if (this.status === 101) return PARSE_ERROR; // a protocol switch nobody asked for
          // An interim response: the final one follows on the same connection.
          if (i === end) return PARSE_MORE;
          continue;
        }
        const r = this.startBody();
        if (r !== PARSE_MORE) return r;
        if ((this.phase as number) === LENGTH && end - i >= this.contentLength) {
          // The common case: the whole body in this read, decoded in place.
          this.body = b.toString('utf8', i, i + this.contentLength);
          this.phase = DONE;
          if (i + this.contentLength !== end) this.keepAlive = false;
          return PARSE_DONE;
        }
      }
      let next: number;
      if (this.phase === LENGTH) next = this.feedLength(b, i, end);
      else if (this.phase === CHUNKED) next = this.feedChunked(b, i, end);
      else if (this.phase === UNTIL_CLOSE) next = this.feedUntilClose(b, i, end);
      else next = i; // DONE: a body-less response
      if (next === -2) return PARSE_ERROR;
      if (next === -3) return PARSE_TOO_LARGE;
      if (next === -1) {
        if (shared) this.ownParts();
        return PARSE_MORE;
      }
      this.finishBody();
      // Bytes after the response, when one request is in flight, mean the connection is out of step: do not reuse it.
      if (next !== end) this.keepAlive = false;
      return PARSE_DONE;
    }
  }

  /** The server closed the connection: the end of a body delimited by close, else an incomplete response. */
  eof(): ParseResult {
    if (this.phase !== UNTIL_CLOSE) return PARSE_ERROR;
    this.finishBody();
    return PARSE_DONE;
  }

  private resetHead(): void {
    this.flags = 0;
    this.contentLength = -1;
    this.keepAliveTimeoutMs = Infinity;
  }

  /** Decide the framing of the body from the head just parsed (RFC 9112 §6.3) and whether the connection persists. */
  private startBody(): ParseResult {
    const f = this.flags;
    this.keepAlive = (f & F_CLOSE) === 0 && ((f & F_HTTP10) === 0 || (f & F_KEEP_ALIVE) !== 0);
    if (this.status === 204 || this.status === 304) {
      this.phase = DONE;
    } else if (f & F_TRANSFER_ENCODING) {
      // Transfer-Encoding overrides Content-Length (§6.3 item 3), and such a message is a reason not to reuse the
      // connection; a coding other than chunked last means the body ends at close (item 4).
      if (this.contentLength >= 0) this.keepAlive = false;
      if (f & F_CHUNKED) {
        this.phase = CHUNKED;
        this.cState = C_SIZE;
        this.cSize = 0;
        this.cDigits = 0;
        this.cLine = 0;
        this.cExtra = 0;
      } else {
        this.phase = UNTIL_CLOSE;
        this.keepAlive = false;
      }
    } else if (this.contentLength >= 0) {
      if (this.contentLength > this.maxBodyBytes) return PARSE_TOO_LARGE;
      this.phase = this.contentLength === 0 ? DONE : LENGTH;
    } else {
      this.phase = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return PARSE_MORE;
  }

  /** Index after the body, or -1 when more bytes are needed. */
  private feedLength(b: Buffer, i: number, end: number): number {
    const need = this.contentLength - this.filled;
    if (this.bodyBuf === null && end - i >= need) {
      this.body = b.toString('utf8', i, i + need); // the common case: the whole body in this read, decoded in place
      return i + need;
    }
    if (this.bodyBuf === null) this.bodyBuf = Buffer.allocUnsafe(this.contentLength);
    const n = Math.min(need, end - i);
    b.copy(this.bodyBuf, this.filled, i, i + n);
    this.filled += n;
    return this.filled === this.contentLength ? i + n : -1;
  }

  private feedUntilClose(b: Buffer, i: number, end: number): number {
    if (end > i) {
      this.total += end - i;
      if (this.total > this.maxBodyBytes) return -3;
      this.parts.push(b.subarray(i, end));
    }
    return -1;
  }

  /** Incremental chunked decoding (RFC 9112 §7.1); index after the last CRLF, -1 for more, -2 malformed, -3 too large. */
  private feedChunked(b: Buffer, i: number, end: number): number {
    while (i < end) {
      const c = b[i];
      switch (this.cState) {
        case C_SIZE: {
          const d = hexValue(c);
          if (d >= 0) {
            if (++this.cDigits > 13) return -2; // beyond 2^52: not a chunk size anyone sends
            this.cSize = this.cSize * 16 + d;
          } else if (this.cDigits === 0) {
            return -2;
          } else if (c === 13) {
            this.cState = C_SIZE_LF;
          } else if (c === 10) {
            if (this.endOfSizeLine()) return -3;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            this.cState = C_EXT;
          } else {
            return -2;
          }
          i++;
          break;
        }
        case C_EXT:
          if (c === 13) this.cState = C_SIZE_LF;
          else if (c === 10) {
            if (this.endOfSizeLine()) return -3;
          } else if (++this.cExtra > MAX_HEAD_BYTES) return -2;
          i++;
          break;
        case C_SIZE_LF:
          if (c !== 10) return -2;
          if (this.endOfSizeLine()) return -3;
          i++;
          break;
        case C_DATA: {
          const n = Math.min(this.cSize, end - i);
          this.parts.push(b.subarray(i, i + n));
          this.cSize -= n;
          i += n;
          if (this.cSize === 0) this.cState = C_DATA_CR;
          break;
        }
        case C_DATA_CR:
          if (c === 13) this.cState = C_DATA_LF;
          else if (c === 10) this.nextChunk();
          else return -2;
          i++;
          break;
        case C_DATA_LF:
          if (c !== 10) return -2;
          this.nextChunk();
          i++;
          break;
        default: // C_TRAILER: trailer lines up to an empty one
          i++;
          if (c === 10) {
            if (this.cLine === 0) return i;
            this.cLine = 0;
          } else if (c !== 13) {
            this.cLine++;
            if (++this.cExtra > MAX_HEAD_BYTES) return -2;
          }
      }
    }
    return -1;
  }

  /** A chunk-size line ended: the last chunk starts the trailer section. Returns true when the body is too large. */
  private endOfSizeLine(): boolean {
    if (this.cSize === 0) {
      this.cState = C_TRAILER;
      this.cLine = 0;
      return false;
    }
    this.total += this.cSize;
    if (this.total > this.maxBodyBytes) return true;
    this.cState = C_DATA;
    return false;
  }

  private nextChunk(): void {
    this.cState = C_SIZE;
    this.cSize = 0;
    this.cDigits = 0;
  }

  /** Copy the pieces that still point into the caller's shared buffer: each body byte is copied once. */
  private ownParts(): void {
    const p = this.parts;
    for (let k = this.partsOwned; k < p.length; k++) p[k] = Buffer.from(p[k]);
    this.partsOwned = p.length;
  }

  private finishBody(): void {
    if (this.phase === LENGTH) {
      if (this.bodyBuf !== null) this.body = this.bodyBuf.toString('utf8', 0, this.contentLength);
    } else if (this.phase === CHUNKED || this.phase === UNTIL_CLOSE) {
      const p = this.parts;
      this.body = p.length === 0 ? '' : p.length === 1 ? p[0].toString('utf8') : Buffer.concat(p, this.total).toString('utf8');
    } else {
      this.body = '';
    }
    this.phase = DONE;
    this.bodyBuf = null;
    if (this.parts.length !== 0) this.parts.length = 0;
    this.partsOwned = 0;
  }

  /**
   * Parse the status line and the headers we need from `b[s, len)`: returns the head length, -1 when the head is
   * not complete yet, -2 when it is malformed.
   */
  private parseHead(b: Buffer, s: number, len: number): number {
    // "HTTP/1.x SSS" is 12 bytes; a wrong first byte is an error at once, not a wait for more.
    for (let j = 0; j < 7 && s + j < len; j++) if (b[s + j] !== HTTP_1[j]) return -2;
    if (len - s < 12) return -1;
    const minor = b[s + 7];
    if ((minor !== 48 && minor !== 49) || b[s + 8] !== 32) return -2;
    const status = (b[s + 9] - 48) * 100 + (b[s + 10] - 48) * 10 + (b[s + 11] - 48);
    if (!(status >= 100 && status <= 599)) return -2;
    this.resetHead();
    this.status = status;
    if (minor === 48) this.flags = F_HTTP10;
    // A plain loop on '\n' (one comparison per byte) beats Buffer#indexOf here: heads are short, calls are not free.
    let i = s + 12;
    while (i < len && b[i] !== 10) i++;
    i++;
    while (i < len) {
      if (b[i] === 13 || b[i] === 10) {
        // The empty line ends the head (a bare LF is tolerated, as most clients do).
        let end = i + 1;
        if (b[i] === 13) {
          if (i + 1 >= len) return -1;
          if (b[i + 1] !== 10) return -2;
          end = i + 2;
        }
        if (this.flags & F_BAD) return -2;
        this.keepHead(b, s, end);
        return end - s;
      }
      let eol = i;
      while (eol < len && b[eol] !== 10) eol++;
      if (eol >= len) return -1;
      this.header(b, i, b[eol - 1] === 13 ? eol - 1 : eol);
      i = eol + 1;
    }
    return -1;
  }

  /** `b[s, len)` starts with the bytes of the last head parsed (which end with its empty line). */
  private sameHead(b: Buffer, s: number, len: number): boolean {
    const last = this.lastHead;
    if (last === null) return false;
    const n = last.length;
    if (len - s < n) return false;
    if (this.wordsOf !== b) {
      this.words = new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2);
      this.wordsOf = b;
      this.wordsBase = b.byteOffset;
    }
    const at = this.wordsBase + s;
    if ((at & 3) !== 0) return b.compare(last, 0, n, s, s + n) === 0;
    const w = this.words;
    const lw = this.lastHeadWords;
    const nw = n >> 2;
    for (let j = 0, k = at >> 2; j < nw; j++, k++) if (w[k] !== lw[j]) return false;
    for (let j = nw << 2; j < n; j++) if (b[s + j] !== last[j]) return false;
    return true;
  }

  /** What the last head said, for the same bytes again; returns its length. */
  private reuseHead(): number {
    this.headMisses = 0;
    this.status = this.lastStatus;
    this.flags = this.lastFlags;
    this.contentLength = this.lastContentLength;
    this.keepAliveTimeoutMs = this.lastKeepAliveMs;
    return this.lastHead!.length;
  }

  private keepHead(b: Buffer, s: number, end: number): void {
    if (++this.headMisses > HEAD_MISSES_MAX) {
      this.lastHead = null;
      return;
    }
    const n = end - s;
    this.lastHeadWords = new Int32Array((n + 3) >> 2);
    this.lastHead = Buffer.from(this.lastHeadWords.buffer, 0, n);
    b.copy(this.lastHead, 0, s, end);
    this.lastStatus = this.status;
    this.lastFlags = this.flags;
    this.lastContentLength = this.contentLength;
    this.lastKeepAliveMs = this.keepAliveTimeoutMs;
  }

  /** One header line `b[start, end)` (without CRLF). */
  private header(b: Buffer, start: number, end: number): void {
    const c = b[start] | 0x20;
    if (c === 0x63 /* c */) {
      if (nameIs(b, start, end, H_CONTENT_LENGTH)) this.setContentLength(parseLength(b, start + H_CONTENT_LENGTH.length + 1, end));
      else if (nameIs(b, start, end, H_CONNECTION)) {
        const t = connectionTokens(b, start + H_CONNECTION.length + 1, end);
        if (t & TOKEN_CLOSE) this.flags |= F_CLOSE;
        if (t & TOKEN_KEEP_ALIVE) this.flags |= F_KEEP_ALIVE;
      }
    } else if (c === 0x74 /* t */ && nameIs(b, start, end, H_TRANSFER_ENCODING)) {
      // The last Transfer-Encoding field decides whether chunked is the final coding.
      this.flags = (this.flags | F_TRANSFER_ENCODING) & ~F_CHUNKED;
      if (lastTokenIs(b, start + H_TRANSFER_ENCODING.length + 1, end, CHUNKED_TOKEN)) this.flags |= F_CHUNKED;
    } else if (c === 0x6b /* k */ && nameIs(b, start, end, H_KEEP_ALIVE)) {
      const t = paramValue(b, start + H_KEEP_ALIVE.length + 1, end, TIMEOUT);
      if (t >= 0) this.keepAliveTimeoutMs = t * 1000;
    }
  }

  /** Several Content-Length fields (or a list) must agree (RFC 9112 §6.3 item 5); a bad value is malformed. */
  private setContentLength(v: number): void {
    if (v < 0 || (this.contentLength >= 0 && this.contentLength !== v)) this.flags |= F_BAD;
    else this.contentLength = v;
  }
}
