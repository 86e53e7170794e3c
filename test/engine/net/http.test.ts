import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectionPool } from '../../../src/engine/net/http.js';
import { ERROR_CODES } from '../../../src/engine/types.js';

/** A raw TCP server answering each request with the bytes `reply` returns (or doing something nasty). */
function rawServer(reply: (req: string, sock: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const socks = new Set<net.Socket>();
    const srv = net.createServer((sock) => {
      socks.add(sock);
      sock.on('close', () => socks.delete(sock));
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString();
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req = buf.slice(0, end + 4 + len);
        buf = buf.slice(end + 4 + len);
        reply(req, sock);
      });
    });
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        close: () => new Promise((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }),
      }),
    );
  });
}

const call = (pool: ConnectionPool, body: string, timeoutMs = 1000) =>
  new Promise<{ status: number; body: string | null; code: string }>((resolve) => {
    const c = pool.acquire();
    const sweep = setInterval(() => pool.sweep(Date.now()), 5);
    c.send(body, (status, b, err) => {
      clearInterval(sweep);
      pool.release(c);
      resolve({ status, body: b, code: ERROR_CODES[err] });
    }, Date.now() + timeoutMs);
  });

test('content-length and chunked responses over one keep-alive connection; headers sent as given', async () => {
  let n = 0;
  let seenHead = '';
  const srv = await rawServer((req, sock) => {
    seenHead = req;
    n++;
    if (n === 1) sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"ü1"}');
    else sock.write('HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"b"\r\n3\r\n:2}\r\n0\r\n\r\n');
  });
  const pool = new ConnectionPool({ host: '127.0.0.1', port: srv.port, path: '/m?x=1', hostHeader: 'example.test', headers: { Authorization: 'Bearer t' }, contentType: 'application/json', maxResponseBytes: 1 << 20 });
  const a = await call(pool, '{"q":1}');
  assert.deepEqual(a, { status: 200, body: '{"a":"ü1"}', code: 'NONE' });
  assert.match(seenHead, /^POST \/m\?x=1 HTTP\/1\.1\r\n/);
  assert.match(seenHead, /\r\nAuthorization: Bearer t\r\n/);
  assert.match(seenHead, /\r\nContent-Length: 7\r\n\r\n\{"q":1\}$/);
  const b = await call(pool, '{}');
  assert.deepEqual(b, { status: 201, body: '{"b":2}', code: 'NONE' });
  assert.equal(pool.inFlight(), 0);
  pool.close();
  await srv.close();
});

test('timeouts, resets, refused connections and malformed responses get their own codes', async () => {
  const srv = await rawServer((req, sock) => {
    if (req.includes('"stall"')) return; // never answer
    if (req.includes('"reset"')) return void sock.destroy();
    sock.write('garbage\r\n\r\n');
  });
  const pool = new ConnectionPool({ host: '127.0.0.1', port: srv.port, path: '/', hostHeader: 'example.test', headers: {}, contentType: 'application/json', maxResponseBytes: 1 << 20 });
  assert.equal((await call(pool, '"stall"', 50)).code, 'TIMEOUT');
  const reset = (await call(pool, '"reset"')).code;
  assert.ok(reset === 'SOCKET_CLOSED' || reset === 'ECONNRESET', reset);
  assert.equal((await call(pool, '"x"')).code, 'PARSE_HTTP');
  pool.close();
  await srv.close();
  const dead = new ConnectionPool({ host: '127.0.0.1', port: srv.port, path: '/', hostHeader: 'example.test', headers: {}, contentType: 'application/json', maxResponseBytes: 1 << 20 });
  assert.equal((await call(dead, '{}')).code, 'ECONNREFUSED');
  dead.close();
});
