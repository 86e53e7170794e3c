// The engine's hot-path pieces (bench/RESULTS.md says why each exists): the byte-level HTTP parser fed in awkward
// pieces, pre-opened connections, the main thread's bounded histogram store, and the open-loop waker. Loopback only, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConnectionPool } from '../../src/engine/net/http.js';
import { HistogramStore, LATE_REVIVE_AT, LIVE_PER_SERIES } from '../../src/engine/main/histstore.js';
import { createHistogram, encodeHistogram, initHistograms, latencyStats, recordUs } from '../../src/stats/hist.js';
import { ERROR_CODES } from '../../src/engine/types.js';
import { histRef } from '../../src/engine/task.js';
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

test('histogram store: successful and failed latency apart; per-phase, per-window, per-second series; warm-up kept out of windows only', async () => {
  await initHistograms();
  const store = new HistogramStore();
  store.record(0, false, 0, 0, true, 1500, 1000, 10);
  store.record(0, false, 1, 0, true, 2500, 2000, 20);
  store.record(0, false, 1, 0, false, 300, 250, 30); // a failed request: its own latency series, lag like any other
  store.record(1, true, 2, 1, true, 9000, 9000, 0); // warm-up: phase histograms and the second, no window
  store.record(1, true, 2, 1, false, 700, 600, 0);
  const count = (ref: Parameters<HistogramStore['get']>[0]) => latencyStats(store.get(ref)!).count;
  assert.equal(count(histRef.latency(0)), 2, 'successful only');
  assert.equal(latencyStats(store.get(histRef.latencyFailed(0))!).max, 0.3, 'the failed one');
  assert.equal(count(histRef.service(0)), 2, 'service time: successful only');
  assert.equal(count(histRef.lag(0)), 3, 'lag: every sent request');
  assert.equal(count(histRef.window(0)), 1);
  assert.equal(count(histRef.window(1)), 1);
  assert.equal(count(histRef.windowFailed(1)), 1);
  assert.equal(store.get(histRef.windowFailed(0)), undefined, 'no failure in window 0');
  assert.equal(count(histRef.latency(1)), 1, 'a warm-up phase keeps its latency');
  assert.equal(count(histRef.latencyFailed(1)), 1);
  assert.equal(store.get(histRef.window(2)), undefined, 'warm-up requests are in no window');
  // 9,000 µs recorded; HDR reports the top of its bucket (3 significant digits).
  assert.ok(Math.abs(latencyStats(store.get(histRef.second(1))!).max - 9) <= 0.01);
  assert.equal(count(histRef.second(1)), 1, 'the per-second series holds successful requests only');
  assert.equal(count(histRef.second(0)), 2);
  store.destroy();
});

test('the histogram store compresses old windows and seconds, takes late values for them, and reports exactly what one live histogram per index does', async () => {
  await initHistograms();
  const store = new HistogramStore();
  const live = new Map<string, ReturnType<typeof createHistogram>>();
  const liveOf = (key: string) => live.get(key) ?? live.set(key, createHistogram()).get(key)!;
  const windows = LIVE_PER_SERIES * 4; // far more than stay live: most are compressed
  // Requests mostly in order of their window, with 1 in 7 answered late (several windows on: a timeout), and a
  // burst of late answers for window 0 long after it was compressed (more than the fold threshold).
  let n = 0;
  const put = (w: number, us: number, ok: boolean) => {
    store.record(0, false, w, w >> 1, ok, us, us, 0);
    recordUs(liveOf(`${ok ? 'w' : 'f'}${w}`), us);
    if (ok) recordUs(liveOf(`s${w >> 1}`), us);
  };
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 300; i++, n++) {
      const us = 100 + ((n * 7919) % 50_000);
      if (n % 7 === 0 && w >= 5) put(w - 5, us + 2_000_000, true);
      else put(w, us, n % 11 !== 0);
    }
  }
  for (let i = 0; i < 5000; i++) put(0, 3_000_000 + i, true);
  let compressedOnly = 0;
  for (const [key, h] of live) {
    const i = Number(key.slice(1));
    const ref = key[0] === 'w' ? histRef.window(i) : key[0] === 'f' ? histRef.windowFailed(i) : histRef.second(i);
    const want = latencyStats(h);
    assert.deepEqual(latencyStats(store.get(ref)!), want, key);
    assert.deepEqual(latencyStats(store.get(ref)!), want, `${key}, read twice: folded, not consumed`);
    const stored = store.encodedOf(ref);
    if (stored !== undefined) {
      compressedOnly++;
      assert.equal(stored, encodeHistogram(store.get(ref)!), `${key}: the stored encoding is what encoding it again gives`);
    }
  }
  assert.ok(compressedOnly > windows, `most windows and seconds end compressed (${compressedOnly})`);
  assert.equal(store.get(histRef.window(windows)), undefined);
  assert.equal(store.get(histRef.second(windows)), undefined, 'a second is not a window');
  for (const h of live.values()) h.destroy();
  store.destroy();
});

test('histogram store: a merge replaying shard after shard over the same windows gives one live histogram per index, holding at most 63 late values per index', async () => {
  await initHistograms();
  const store = new HistogramStore();
  const live = new Map<number, ReturnType<typeof createHistogram>>();
  const windows = 200;
  for (let shard = 0; shard < 4; shard++) {
    for (let w = 0; w < windows; w++) {
      for (let i = 0; i < 50; i++) {
        const us = 100 + ((shard * 7919 + w * 104729 + i * 31) % 40_000);
        store.record(0, false, w, w, true, us, us, 0);
        recordUs(live.get(w) ?? live.set(w, createHistogram()).get(w)!, us);
      }
    }
  }
  // The bound: a compressed index holds fewer than LATE_REVIVE_AT late values before it is made live again.
  assert.ok(store.lateValues <= (LATE_REVIVE_AT - 1) * windows * 2, `late values held: ${store.lateValues}`);
  for (const [w, h] of live) {
    assert.deepEqual(latencyStats(store.get(histRef.window(w))!), latencyStats(h), `window ${w}`);
    assert.deepEqual(latencyStats(store.get(histRef.second(w))!), latencyStats(h), `second ${w}`);
    h.destroy();
  }
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
