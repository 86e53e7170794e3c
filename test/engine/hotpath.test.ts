// The engine's hot-path pieces (bench/RESULTS.md says why each exists): the byte-level HTTP parser fed in awkward
// pieces, pre-opened connections, the per-worker histogram deltas, the main thread's bounded histogram store, and
// the open-loop waker. Loopback only, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectionPool } from '../../src/engine/net/http.js';
import { HistogramDeltas } from '../../src/engine/worker/deltas.js';
import { HistogramStore } from '../../src/engine/main/histstore.js';
import { createHistogram, encodeHistogram, initHistograms, latencyStats, mergeEncoded, recordUs } from '../../src/stats/hist.js';
import { ERROR_CODES } from '../../src/engine/types.js';
import { histRef, type HistDelta } from '../../src/engine/task.js';
import { Waker } from '../../src/engine/worker/wake.js';

/** A raw TCP server: `reply(requestNumber, socket)` answers each complete request; counts connections. */
function rawServer(reply: (n: number, sock: net.Socket) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const socks = new Set<net.Socket>();
    let connections = 0;
    let n = 0;
    const srv = net.createServer((sock) => {
      connections++;
      socks.add(sock);
      sock.on('close', () => socks.delete(sock));
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
          if (buf.length < end + 4 + len) return;
          buf = buf.slice(end + 4 + len);
          reply(n++, sock);
        }
      });
    });
    srv.listen(0, '127.0.0.1', () =>
      resolve({
        port: (srv.address() as net.AddressInfo).port,
        connections: () => connections,
        close: () => new Promise((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }),
      }),
    );
  });
}

/** Write `text` one small piece at a time, yielding between pieces so each arrives in its own read. */
async function dribble(sock: net.Socket, text: string, piece: number): Promise<void> {
  for (let i = 0; i < text.length; i += piece) {
    sock.write(text.slice(i, i + piece));
    await new Promise((r) => setTimeout(r, 1));
  }
}

const call = (pool: ConnectionPool, body: string) =>
  new Promise<{ status: number; body: string | null; code: string }>((resolve) => {
    const c = pool.acquire();
    c.send(body, (status, b, err) => {
      pool.release(c);
      resolve({ status, body: b, code: ERROR_CODES[err] });
    }, Date.now() + 2000);
  });

const target = (port: number) => ({ host: '127.0.0.1', port, path: '/', hostHeader: `127.0.0.1:${port}`, headers: {}, contentType: 'application/json', maxResponseBytes: 1 << 20 });

test('responses split across many reads, odd header case, Connection: close and chunks in pieces all parse', async () => {
  const srv = await rawServer((n, sock) => {
    const body = '{"prediction":"ü"}';
    const len = Buffer.byteLength(body);
    // 0: head and body a few bytes at a time; 1: upper-case names and `Connection: Close`; 2: chunked in pieces.
    if (n === 0) void dribble(sock, `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: ${len}\r\n\r\n${body}`, 7);
    else if (n === 1) sock.write(`HTTP/1.1 201 Created\r\nCONTENT-LENGTH: ${len}\r\nConnection: Close\r\n\r\n${body}`, () => sock.end());
    else void dribble(sock, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\n{"a":\r\n3\r\n42}\r\n0\r\n\r\n', 5);
  });
  const pool = new ConnectionPool(target(srv.port));
  assert.deepEqual(await call(pool, '{}'), { status: 200, body: '{"prediction":"ü"}', code: 'NONE' });
  assert.deepEqual(await call(pool, '{}'), { status: 201, body: '{"prediction":"ü"}', code: 'NONE' });
  // The server closed after the second answer: the third request goes out on a new connection.
  assert.deepEqual(await call(pool, '{}'), { status: 200, body: '{"a":42}', code: 'NONE' });
  assert.equal(srv.connections(), 2);
  assert.equal(pool.inFlight(), 0);
  pool.close();
  await srv.close();
});

test('a non-HTTP answer fails at once with PARSE_HTTP (no wait for more bytes)', async () => {
  const srv = await rawServer((_, sock) => sock.write('SSH-2.0'));
  const pool = new ConnectionPool(target(srv.port));
  assert.equal((await call(pool, '{}')).code, 'PARSE_HTTP');
  pool.close();
  await srv.close();
});

test('prewarm opens idle connections before any request, and requests then reuse them', async () => {
  const srv = await rawServer((_, sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const pool = new ConnectionPool(target(srv.port));
  await pool.prewarm(3, 2000);
  assert.equal(pool.size, 3);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(srv.connections(), 3);
  const answers = await Promise.all([call(pool, '1'), call(pool, '2'), call(pool, '3')]);
  assert.deepEqual(answers.map((a) => a.body), ['ok', 'ok', 'ok']);
  assert.equal(srv.connections(), 3, 'no connection beyond the pre-opened ones');
  pool.close();
  await srv.close();
});

test('histogram deltas: successful and failed latency apart; per-phase, per-window, per-second series; warm-up kept out of windows only', async () => {
  await initHistograms();
  const d = new HistogramDeltas(1);
  d.record(0, false, 0, 0, true, 1500, 1000, 10);
  d.record(0, false, 1, 0, true, 2500, 2000, 20);
  d.record(0, false, 1, 0, false, 300, 250, 30); // a failed request: its own latency series, lag like any other
  d.record(1, true, 2, 1, true, 9000, 9000, 0); // warm-up: phase histograms and the second, no window
  d.record(1, true, 2, 1, false, 700, 600, 0);
  const out: HistDelta[] = [];
  d.drainInto(out);
  // Every delta names its target and exactly one of phase, window, second.
  const where = (x: HistDelta) => ('phase' in x ? `p${x.phase}` : 'window' in x ? `w${x.window}` : `s${x.second}`);
  assert.deepEqual(
    out.map((x) => `${x.target} ${x.series} ${where(x)}`).sort(),
    [
      '1 lag p0', '1 latency p0', '1 latencyFailed p0', '1 latency s0', '1 latency s1', '1 latency w0', '1 latency w1', '1 latencyFailed w1',
      '1 service p0', '1 lag p1', '1 latency p1', '1 latencyFailed p1', '1 service p1',
    ].sort(),
  );
  assert.ok(d.isEmpty);
  const store = new HistogramStore();
  for (const x of out) store.merge(x, x.encoded);
  assert.equal(latencyStats(store.get(histRef.latency(0))!).count, 2, 'successful only');
  assert.equal(latencyStats(store.get(histRef.latencyFailed(0))!).max, 0.3, 'the failed one');
  assert.equal(latencyStats(store.get(histRef.service(0))!).count, 2, 'service time: successful only');
  assert.equal(latencyStats(store.get(histRef.lag(0))!).count, 3, 'lag: every sent request');
  assert.equal(latencyStats(store.get(histRef.window(1))!).count, 1);
  assert.equal(latencyStats(store.get(histRef.windowFailed(1))!).count, 1);
  assert.equal(latencyStats(store.get(histRef.latency(1))!).count, 1, 'a warm-up phase keeps its latency');
  assert.equal(latencyStats(store.get(histRef.latencyFailed(1))!).count, 1);
  assert.equal(store.get(histRef.window(2)), undefined, 'warm-up requests are in no window');
  // 9,000 µs recorded; HDR reports the top of its bucket (3 significant digits).
  assert.ok(Math.abs(latencyStats(store.get(histRef.second(1))!).max - 9) <= 0.01);
  assert.equal(latencyStats(store.get(histRef.second(1))!).count, 1, 'the per-second series holds successful requests only');
  store.destroy();
});

test('the histogram store keeps series compressed but reports exactly what merging them live did', async () => {
  await initHistograms();
  const store = new HistogramStore();
  const live = createHistogram();
  // 30 deltas (more than the fold threshold) into one window's series and one phase's.
  for (let i = 0; i < 30; i++) {
    const h = createHistogram();
    for (let v = 0; v < 200; v++) recordUs(h, 100 + ((v * 7919 + i * 104729) % 50_000));
    const enc = encodeHistogram(h);
    store.merge(histRef.window(3), enc);
    store.merge(histRef.latency(0), enc);
    mergeEncoded(live, enc); // what the main thread did before: one live WebAssembly histogram per series
    h.destroy();
  }
  const want = latencyStats(live);
  assert.deepEqual(latencyStats(store.get(histRef.window(3))!), want);
  assert.deepEqual(latencyStats(store.get(histRef.latency(0))!), want);
  // Reading a series twice gives the same answer (it is folded, not consumed).
  assert.deepEqual(latencyStats(store.get(histRef.window(3))!), want);
  assert.equal(store.get(histRef.window(4)), undefined);
  assert.equal(store.get(histRef.windowFailed(3)), undefined, 'failed and successful series apart');
  assert.equal(store.get(histRef.second(3)), undefined, 'a second is not a window');
  live.destroy();
  store.destroy();
});

test('waker: fires once per arming; a sooner due time replaces a later one; an overdue one fires on the next turn', async () => {
  const fired: string[] = [];
  let label = '';
  const w = new Waker(() => fired.push(label), 50);
  const now = () => performance.now() * 1000;
  label = 'late';
  w.at(now() + 200_000, now()); // 200 ms away
  label = 'soon';
  w.at(now() + 5_000, now()); // 5 ms away: replaces the first
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(fired, ['soon']);
  label = 'overdue';
  w.at(now() - 1_000, now());
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(fired, ['soon', 'overdue']);
  w.at(now() + 1_000_000, now());
  w.cancel();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fired, ['soon', 'overdue']);
});
