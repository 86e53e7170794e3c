// Byte-level readers of HTTP/1.x header values for the response parser (h1parse.ts): no strings are built, names and
// tokens are compared case-insensitively by OR-ing 0x20 into the received byte.

/** Header names and tokens, lower case, as bytes. */
export const H_CONTENT_LENGTH = Buffer.from('content-length');
export const H_TRANSFER_ENCODING = Buffer.from('transfer-encoding');
export const H_CONNECTION = Buffer.from('connection');
export const H_KEEP_ALIVE = Buffer.from('keep-alive');
export const CLOSE = Buffer.from('close');
export const CHUNKED_TOKEN = Buffer.from('chunked');
export const TIMEOUT = Buffer.from('timeout');

export const TOKEN_CLOSE = 1;
export const TOKEN_KEEP_ALIVE = 2;

export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** True when the header line at `start` is `name:` (case-insensitive). */
export function nameIs(b: Buffer, start: number, end: number, name: Buffer): boolean {
  const n = name.length;
  if (end - start <= n || b[start + n] !== 0x3a) return false;
  for (let j = 0; j < n; j++) if ((b[start + j] | 0x20) !== name[j]) return false;
  return true;
}

/** A Content-Length value: digits, optionally a comma list of the same digits (§6.3 item 5); -1 when invalid. */
export function parseLength(b: Buffer, start: number, end: number): number {
  let v = -1;
  let cur = -1;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const d = i < end ? b[i] : 44; // a virtual comma closes the last value
    if (d >= 48 && d <= 57) {
      if (++digits > 15) return -1;
      cur = (cur < 0 ? 0 : cur * 10) + (d - 48);
    } else if (d === 44) {
      if (cur < 0 || (v >= 0 && v !== cur)) return -1;
      v = cur;
      cur = -1;
      digits = 0;
    } else if (d !== 32 && d !== 9) {
      return -1;
    }
  }
  return v;
}

/** The `close` and `keep-alive` tokens of a Connection list `b[start, end)` (case-insensitive), as bit flags. */
export function connectionTokens(b: Buffer, start: number, end: number): number {
  let i = start;
  let e = end;
  while (i < e && (b[i] === 32 || b[i] === 9)) i++;
  while (e > i && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  // The values servers send (one token) without the list walk: this runs for most responses.
  if (e - i === 10 && sameToken(b, i, H_KEEP_ALIVE)) return TOKEN_KEEP_ALIVE;
  if (e - i === 5 && sameToken(b, i, CLOSE)) return TOKEN_CLOSE;
  let flags = 0;
  while (i < end) {
    while (i < end && (b[i] === 32 || b[i] === 9 || b[i] === 44)) i++;
    let e = i;
    while (e < end && b[e] !== 44) e++;
    let t = e;
    while (t > i && (b[t - 1] === 32 || b[t - 1] === 9)) t--;
    if (t - i === 5 && sameToken(b, i, CLOSE)) flags |= TOKEN_CLOSE;
    else if (t - i === 10 && sameToken(b, i, H_KEEP_ALIVE)) flags |= TOKEN_KEEP_ALIVE;
    i = e;
  }
  return flags;
}

function sameToken(b: Buffer, at: number, word: Buffer): boolean {
  for (let j = 0; j < word.length; j++) if ((b[at + j] | 0x20) !== word[j]) return false;
  return true;
}

/** True when the last coding of a Transfer-Encoding list is `word`. */
export function lastTokenIs(b: Buffer, start: number, end: number, word: Buffer): boolean {
  let e = end;
  while (e > start && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  const s = e - word.length;
  if (s < start) return false;
  for (let j = 0; j < word.length; j++) if ((b[s + j] | 0x20) !== word[j]) return false;
  return s === start || b[s - 1] === 32 || b[s - 1] === 9 || b[s - 1] === 44;
}

/** The integer value of `name=N` in a `Keep-Alive: timeout=5, max=100` list; -1 when absent. */
export function paramValue(b: Buffer, start: number, end: number, name: Buffer): number {
  for (let i = start; i + name.length < end; i++) {
    let j = 0;
    while (j < name.length && (b[i + j] | 0x20) === name[j]) j++;
    if (j < name.length || b[i + j] !== 61 /* = */) continue;
    if (i > start && b[i - 1] !== 32 && b[i - 1] !== 44 && b[i - 1] !== 9) continue;
    let v = 0;
    let digits = 0;
    for (let k = i + j + 1; k < end && b[k] >= 48 && b[k] <= 57 && digits < 9; k++, digits++) v = v * 10 + (b[k] - 48);
    return digits > 0 ? v : -1;
  }
  return -1;
}
