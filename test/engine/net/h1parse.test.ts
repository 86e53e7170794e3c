// The response parser on its own, fed every split of the bytes (as undici tests its HTTP/1 parser): framing and
// persistence as RFC 9112 defines them (https://www.rfc-editor.org/rfc/rfc9112 §6.3 message body length, §7.1
// chunked, §9.3 persistence; RFC 9110 §15.2 interim responses), and the size cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARSE_DONE, PARSE_ERROR, PARSE_MORE, PARSE_TOO_LARGE, ResponseParser } from '../../../src/engine/net/h1parse.js';

interface Parsed {
  result: number;
  status?: number;
  body?: string;
  keepAlive?: boolean;
  keepAliveTimeoutMs?: number;
}

/** Feed `bytes` in the given pieces through one shared scratch buffer (as `onread` does), then EOF if asked. */
function parse(bytes: Buffer, cuts: number[], opts: { eof?: boolean; max?: number } = {}, p = new ResponseParser(opts.max ?? 1 << 20)): Parsed {
  const scratch = Buffer.alloc(bytes.length + 1);
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to <= from) continue;
    bytes.copy(scratch, 0, from, to);
    const r = p.feed(scratch, 0, to - from, true);
    scratch.fill(0x23); // the shared buffer is reused by the next read: the parser must have kept what it needs
    from = to;
    if (r !== PARSE_MORE) return r === PARSE_DONE ? done(p, r) : { result: r };
  }
  if (opts.eof) {
    const r = p.eof();
    return r === PARSE_DONE ? done(p, r) : { result: r };
  }
  return { result: PARSE_MORE };
}
const done = (p: ResponseParser, result: number): Parsed => ({ result, status: p.status, body: p.body, keepAlive: p.keepAlive, keepAliveTimeoutMs: p.keepAliveTimeoutMs });

/** The same result for the whole message, for every single split point, and byte by byte. */
function parseEverySplit(text: string, opts: { eof?: boolean; max?: number } = {}): Parsed {
  const bytes = Buffer.from(text, 'latin1');
  const whole = parse(bytes, [], opts);
  for (let i = 1; i < bytes.length; i++) assert.deepEqual(parse(bytes, [i], opts), whole, `split at ${i}`);
  assert.deepEqual(parse(bytes, Array.from({ length: bytes.length }, (_, i) => i + 1), opts), whole, 'byte by byte');
  return whole;
}

const J = '{"prediction":1}';

// One row per framing rule: the response bytes, whether the server then closes, and what must come out.
const CASES: [string, string, { eof?: boolean; whole?: boolean }, Parsed][] = [
  ['Content-Length', `HTTP/1.1 200 OK\r\nContent-Length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['chunked with extensions and a trailer', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\n{"pre\r\nb\r\ndiction":1}\r\n0\r\nX-Trailer: 1\r\n\r\n`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['body until close (§6.3 item 8): not reusable', `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${J}`, { eof: true }, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['HTTP/1.0 without keep-alive: closes after the answer', `HTTP/1.0 200 OK\r\nContent-Length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['HTTP/1.0 with Connection: keep-alive and a Keep-Alive hint', `HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: true, keepAliveTimeoutMs: 5000 }],
  ['Connection: close on HTTP/1.1', `HTTP/1.1 200 OK\r\nconnection: upgrade, CLOSE\r\ncontent-length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['100 Continue and 103 Early Hints skipped', `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 201, body: J, keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['204 has no body even with a length', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', {}, { result: PARSE_DONE, status: 204, body: '', keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['304 has no body', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 16\r\n\r\n', {}, { result: PARSE_DONE, status: 304, body: '', keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['Transfer-Encoding beats Content-Length (§6.3 item 3), then no reuse', `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n${J}\r\n0\r\n\r\n`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['a coding other than chunked last: until close (§6.3 item 4)', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n${J}`, { eof: true }, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['equal repeated Content-Length values are one length (§6.3 item 5)', `HTTP/1.1 200 OK\r\nContent-Length: ${J.length}, ${J.length}\r\nContent-Length: ${J.length}\r\n\r\n${J}`, {}, { result: PARSE_DONE, status: 200, body: J, keepAlive: true, keepAliveTimeoutMs: Infinity }],
  // Whole only: split after the response, the extra bytes come as a read of their own (the client drops the connection then).
  ['bytes after the response: the connection is out of step', `HTTP/1.1 200 OK\r\nContent-Length: ${J.length}\r\n\r\n${J}HTTP/1.1 200 OK\r\n`, { whole: true }, { result: PARSE_DONE, status: 200, body: J, keepAlive: false, keepAliveTimeoutMs: Infinity }],
  ['UTF-8 split inside a character', 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"a":"üé"}', {}, { result: PARSE_DONE, status: 200, body: '{"a":"üé"}', keepAlive: true, keepAliveTimeoutMs: Infinity }],
  ['conflicting Content-Length values', `HTTP/1.1 200 OK\r\nContent-Length: 16\r\nContent-Length: 17\r\n\r\n${J}`, {}, { result: PARSE_ERROR }],
  ['a Content-Length that is not a number', `HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n${J}`, {}, { result: PARSE_ERROR }],
  ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', {}, { result: PARSE_ERROR }],
  ['not HTTP/1.x', 'HTTP/2 200\r\n\r\n', {}, { result: PARSE_ERROR }],
  ['101 Switching Protocols nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n', {}, { result: PARSE_ERROR }],
  ['a Content-Length body cut short by close', `HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n${J}`, { eof: true }, { result: PARSE_ERROR }],
  ['a chunked body cut short by close', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"pre', { eof: true }, { result: PARSE_ERROR }],
];

for (const [name, text, opts, expected] of CASES) {
  test(`framing: ${name}`, () => {
    // The UTF-8 case is written as UTF-8 bytes; every other case is ASCII.
    const t = name.startsWith('UTF-8') ? Buffer.from(text, 'utf8').toString('latin1') : text;
    const got = opts.whole ? parse(Buffer.from(t, 'latin1'), []) : parseEverySplit(t, opts);
    assert.deepEqual(got, expected);
  });
}

test('a head like the last one is read like it: every response after every other, on one parser, twice', () => {
  // The parser reuses the reading of a head byte-for-byte equal to the last one it parsed: whatever came before,
  // each response must read as it does on a fresh parser (pairs differ by a length, a status, a Connection token…).
  const wire = (name: string, text: string) => Buffer.from(name.startsWith('UTF-8') ? Buffer.from(text, 'utf8').toString('latin1') : text, 'latin1');
  const fresh = CASES.map(([name, text, opts]) => parse(wire(name, text), [], opts));
  const p = new ResponseParser(1 << 20);
  for (const [i, [nameA, textA, optsA]] of CASES.entries()) {
    for (const [j, [nameB, textB, optsB]] of CASES.entries()) {
      for (const [k, name, text, opts] of [[i, nameA, textA, optsA], [j, nameB, textB, optsB], [j, nameB, textB, optsB]] as const) {
        p.reset();
        assert.deepEqual(parse(wire(name, text), [], opts, p), fresh[k], `${name} after ${nameA}`);
      }
    }
  }
});

test('a repeated head is recognised at every alignment in the read buffer, and a change in any byte of it is seen', () => {
  // Heads are compared four bytes at a time when aligned, byte by byte otherwise: each offset takes one path or the other.
  const head = 'HTTP/1.1 200 OK\r\nDate: Mon, 30 Nov 2026 01:56:53 GMT\r\nContent-Length: 2\r\n\r\n';
  const p = new ResponseParser(1 << 20);
  const buf = Buffer.alloc(256);
  for (let at = 0; at < 8; at++) {
    for (const [text, status, keepAlive] of [
      [head, 200, true],
      [head, 200, true],
      [head.replace('200', '201'), 201, true],
      [head.replace('53 GMT', '54 GMT'), 200, true],
      [head.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'), 200, false],
      [head, 200, true],
    ] as const) {
      const n = buf.write(text + '{}', at, 'latin1');
      p.reset();
      assert.equal(p.feed(buf, at, at + n, true), PARSE_DONE, `offset ${at}`);
      assert.deepEqual([p.status, p.body, p.keepAlive], [status, '{}', keepAlive], `offset ${at}: ${text}`);
    }
  }
});

test('a server whose heads differ every time: heads are still read right once the parser stops comparing them', () => {
  const p = new ResponseParser(1 << 20);
  for (let i = 0; i < 40; i++) {
    const body = `{"n":${i}}`;
    const bytes = Buffer.from(`HTTP/1.1 200 OK\r\nX-Request-Id: ${i}\r\nContent-Length: ${body.length}\r\n${i % 2 ? 'Connection: close\r\n' : ''}\r\n${body}`);
    p.reset();
    assert.deepEqual(parse(bytes, [], {}, p), { result: PARSE_DONE, status: 200, body, keepAlive: i % 2 === 0, keepAliveTimeoutMs: Infinity }, `response ${i}`);
  }
});

test('size cap: a Content-Length, chunk sizes or an until-close body over the cap are RESPONSE_TOO_LARGE at once', () => {
  const max = 100;
  const big = 'x'.repeat(101);
  // Declared lengths are refused from the head / size line, before the body arrives.
  assert.equal(parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n'), [], { max }).result, PARSE_TOO_LARGE);
  assert.equal(parse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n'), [], { max }).result, PARSE_MORE);
  assert.equal(parse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n' + 'x'.repeat(64) + '\r\n30\r\n'), [], { max }).result, PARSE_TOO_LARGE);
  assert.equal(parse(Buffer.from(`HTTP/1.1 200 OK\r\n\r\n${big}`), [50], { max, eof: true }).result, PARSE_TOO_LARGE);
  // Exactly at the cap is fine.
  assert.equal(parse(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'y'.repeat(100)}`), [], { max }).body, 'y'.repeat(100));
});

test('a parser is reused across responses: reset() forgets the previous one', () => {
  const p = new ResponseParser(1 << 20);
  const a = Buffer.from('HTTP/1.0 200 OK\r\nKeep-Alive: timeout=2\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}');
  assert.equal(p.feed(a, 0, a.length, false), PARSE_DONE);
  assert.equal(p.keepAliveTimeoutMs, 2000);
  p.reset();
  const b = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n');
  assert.equal(p.feed(b, 0, b.length, false), PARSE_DONE);
  assert.deepEqual([p.body, p.keepAlive, p.keepAliveTimeoutMs], ['[]', true, Infinity]);
});

/** Count bytes copied by Buffer.concat, Buffer.from(buffer) and Buffer#copy while `fn` runs. */
function countCopies(fn: () => void): number {
  let copied = 0;
  const { concat, from } = Buffer;
  const copy = Buffer.prototype.copy;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const out = concat(list, total);
    copied += out.length;
    return out;
  }) as typeof Buffer.concat;
  Buffer.from = ((...args: Parameters<typeof from>) => {
    const out = (from as (...a: unknown[]) => Buffer)(...args);
    if (args[0] instanceof Uint8Array) copied += out.length;
    return out;
  }) as typeof Buffer.from;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<typeof copy>) {
    const n = copy.apply(this, args);
    copied += n;
    return n;
  };
  try {
    fn();
  } finally {
    Buffer.concat = concat;
    Buffer.from = from;
    Buffer.prototype.copy = copy;
  }
  return copied;
}

test('a 20 MB body is read with every byte copied at most twice (linear), in every framing', () => {
  const N = 20 * 1024 * 1024;
  const json = `{"predictions":[${'1,'.repeat(N / 2 - 10)}1]}`.padEnd(N, ' ');
  const bodyBytes = Buffer.from(json);
  const heads = {
    length: `HTTP/1.1 200 OK\r\nContent-Length: ${N}\r\n\r\n`,
    chunked: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
    untilClose: 'HTTP/1.1 200 OK\r\n\r\n',
  };
  for (const [framing, head] of Object.entries(heads)) {
    let wire: Buffer;
    if (framing === 'chunked') {
      const parts: Buffer[] = [Buffer.from(head)];
      for (let i = 0; i < N; i += 100_000) {
        const piece = bodyBytes.subarray(i, Math.min(N, i + 100_000));
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      wire = Buffer.concat(parts);
    } else {
      wire = Buffer.concat([Buffer.from(head), bodyBytes]);
    }
    // Reads of 64 KiB, as the client's shared read buffer delivers them.
    const p = new ResponseParser(32 * 1024 * 1024);
    const scratch = Buffer.alloc(65536);
    let result = PARSE_MORE as number;
    const copied = countCopies(() => {
      for (let i = 0; i < wire.length && result === PARSE_MORE; i += 65536) {
        const n = wire.copy(scratch, 0, i, Math.min(wire.length, i + 65536));
        result = p.feed(scratch, 0, n, true);
      }
      if (framing === 'untilClose') result = p.eof();
    });
    assert.equal(result, PARSE_DONE, framing);
    assert.equal(p.body.length, N, framing);
    assert.equal((JSON.parse(p.body) as { predictions: number[] }).predictions.length, N / 2 - 9, framing);
    // The test's own copies into the scratch buffer are counted too (once per byte of the wire).
    const parserCopies = copied - wire.length;
    assert.ok(parserCopies <= 2 * N + 65536, `${framing}: ${parserCopies} bytes copied for a ${N}-byte body`);
  }
});
