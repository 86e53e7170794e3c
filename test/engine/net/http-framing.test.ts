// The client against servers written by hand: message framing and connection persistence as RFC 9112 defines them
// (https://www.rfc-editor.org/rfc/rfc9112 §6.3 body length, §9.3 persistence, §9.6 tear-down; RFC 9110 §15.2
// interim responses, §7.2 Host), large bodies, the size cap, stale keep-alive connections and the request head.
// Python's http.server answers HTTP/1.0 and closes after each answer unless protocol_version is set (cpython
// Lib/http/server.py: BaseHTTPRequestHandler.protocol_version = "HTTP/1.0"): the HTTP/1.0 case here is that server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionPool, STALE_IDLE_MS, buildHead, parseTargetUrl, type HttpTarget } from '../../../src/engine/net/http.js';
import { ERROR_CODES } from '../../../src/engine/types.js';
import { executeRun } from '../../../src/engine/main/run.js';
import { accountingErrors } from '../../../src/engine/main/counts.js';
import { parseScenarioText } from '../../../src/scenario/load.js';
import { PREDICTION, ok200, rawHttpServer, scenarioText, type RawServer, type Reply } from '../rawhttp.js';

const J = PREDICTION;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const target = (port: number, o: Partial<HttpTarget> = {}): HttpTarget => ({
  host: '127.0.0.1',
  port,
  path: '/model',
  hostHeader: `127.0.0.1:${port}`,
  headers: {},
  contentType: 'application/json',
  maxResponseBytes: 16 * 1024 * 1024,
  ...o,
});

interface Answer {
  status: number;
  body: string | null;
  code: string;
  retried: boolean;
}

const call = (pool: ConnectionPool, body = '{"q":1}', timeoutMs = 2000) =>
  new Promise<Answer>((resolve) => {
    const c = pool.acquire();
    const sweep = setInterval(() => pool.sweep(Date.now()), 5);
    c.send(body, (status, b, err) => {
      clearInterval(sweep);
      pool.release(c);
      resolve({ status, body: b, code: ERROR_CODES[err], retried: c.retried });
    }, Date.now() + timeoutMs);
  });

async function withServer(reply: Reply, fn: (srv: RawServer) => Promise<void>): Promise<void> {
  const srv = await rawHttpServer(reply);
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

const OK: Omit<Answer, 'retried'> = { status: 200, body: J, code: 'NONE' };

test('body delimited by close (§6.3 item 8): the answer is complete at close, and that connection is not reused', async () => {
  await withServer(
    (_req, sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"success":true,');
      setTimeout(() => sock.end('"response":{"prediction":1,"uuid":"x"}}'), 5);
    },
    async (srv) => {
      const pool = new ConnectionPool(target(srv.port));
      for (let i = 0; i < 3; i++) assert.deepEqual(await call(pool), { ...OK, retried: false });
      assert.equal(srv.connections, 3);
      assert.deepEqual(srv.requests.map((r) => r.nth), [0, 0, 0]);
      pool.close();
    },
  );
});

test('a whole run against a server that ends every body by closing: every valid 200 counted ok', async () => {
  await withServer(
    (_req, sock) => sock.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${J}`),
    async (srv) => {
      const s = parseScenarioText(scenarioText({ url: `http://127.0.0.1:${srv.port}/model`, load: '  phases: [{ duration: 1s, rate: 150 }]' }), '/tmp/until-close.yaml');
      const sum = (await executeRun(s, { workers: 1 })).summaries[0];
      const t = sum.totals.requests;
      assert.deepEqual(accountingErrors(t), []);
      assert.equal(t.ok, 150, JSON.stringify(sum.totals.errors));
      assert.equal(srv.requests.length, 150);
    },
  );
});

test('an HTTP/1.0 server closing after every answer at 400 req/s: no request is written into a closing connection', async () => {
  await withServer(
    (_req, sock) => sock.end(`HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${J.length}\r\n\r\n${J}`),
    async (srv) => {
      const s = parseScenarioText(scenarioText({ url: `http://127.0.0.1:${srv.port}/model`, load: '  phases: [{ duration: 2s, rate: 400 }]' }), '/tmp/http10.yaml');
      const sum = (await executeRun(s, { workers: 1 })).summaries[0];
      const t = sum.totals.requests;
      assert.deepEqual(accountingErrors(t), []);
      assert.equal(t.scheduled, 800);
      assert.equal(sum.totals.errors.byCode.SOCKET_CLOSED ?? 0, 0, JSON.stringify(sum.totals.errors));
      assert.equal(t.ok, 800, JSON.stringify(sum.totals.errors));
      assert.equal(t.retriedOnStaleConnection, 0);
      // Every request reached the server, each on a connection of its own.
      assert.equal(srv.requests.length, 800);
      assert.ok(srv.requests.every((r) => r.nth === 0));
    },
  );
});

test('HTTP/1.0 with Connection: keep-alive, and HTTP/1.1 without close, reuse the connection; Connection: close does not', async () => {
  const replies = [
    [`HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: ${J.length}\r\n\r\n${J}`, 1],
    [ok200(), 1],
    [ok200(J, 'Connection: close\r\n'), 3],
  ] as const;
  for (const [answer, connections] of replies) {
    await withServer(
      // Connection: close answers are followed by the server's close a little later: the client must not wait for it.
      (_req, sock) => {
        sock.write(answer);
        if (answer.includes('close')) setTimeout(() => sock.end(), 50);
      },
      async (srv) => {
        const pool = new ConnectionPool(target(srv.port));
        for (let i = 0; i < 3; i++) assert.deepEqual(await call(pool), { ...OK, retried: false });
        assert.equal(srv.connections, connections, answer.split('\r\n').slice(0, 2).join(' | '));
        pool.close();
      },
    );
  }
});

test('Keep-Alive: timeout=N — a connection idle longer than the hint (minus a margin) is replaced before use', async () => {
  for (const [hint, connections] of [['Keep-Alive: timeout=1\r\n', 2], ['', 1]] as const) {
    await withServer(
      (_req, sock) => sock.write(ok200(J, hint)),
      async (srv) => {
        const pool = new ConnectionPool(target(srv.port));
        assert.deepEqual(await call(pool), { ...OK, retried: false });
        await sleep(700); // past 1 s − min(1 s, 0.5 s) = 0.5 s, and not past the stale threshold
        assert.deepEqual(await call(pool), { ...OK, retried: false });
        assert.equal(srv.connections, connections, `hint "${hint.trim()}"`);
        pool.close();
      },
    );
  }
});

test('interim 100 and 103 answers are skipped; 204 and 304 carry no body and keep the connection', async () => {
  let n = 0;
  await withServer(
    (_req, sock) => {
      const i = n++;
      if (i === 0) {
        sock.write('HTTP/1.1 100 Continue\r\n\r\n');
        setTimeout(() => sock.write(`HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n${ok200()}`), 10);
      } else if (i === 1) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (i === 2) sock.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n');
      else sock.write(ok200());
    },
    async (srv) => {
      const pool = new ConnectionPool(target(srv.port));
      assert.deepEqual(await call(pool), { ...OK, retried: false });
      assert.deepEqual(await call(pool), { status: 204, body: '', code: 'NONE', retried: false });
      assert.deepEqual(await call(pool), { status: 304, body: '', code: 'NONE', retried: false });
      assert.deepEqual(await call(pool), { ...OK, retried: false });
      assert.equal(srv.connections, 1);
      pool.close();
    },
  );
});

test('a 20 MB answer, by length, chunked and until close, is read whole and parses', async () => {
  const N = 20 * 1024 * 1024;
  const body = `{"predictions":[${'1,'.repeat(N / 2 - 10)}1]}`.padEnd(N, ' ');
  for (const framing of ['length', 'chunked', 'close']) {
    await withServer(
      (_req, sock) => {
        if (framing === 'length') sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${N}\r\n\r\n${body}`);
        else if (framing === 'close') sock.end(`HTTP/1.1 200 OK\r\n\r\n${body}`);
        else {
          sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
          for (let i = 0; i < N; i += 1_000_000) {
            const piece = body.slice(i, i + 1_000_000);
            sock.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
          }
          sock.write('0\r\n\r\n');
        }
      },
      async (srv) => {
        const pool = new ConnectionPool(target(srv.port, { maxResponseBytes: 32 * 1024 * 1024 }));
        const a = await call(pool, '{}', 30_000);
        assert.equal(a.code, 'NONE', framing);
        assert.equal(a.body!.length, N, framing);
        assert.equal((JSON.parse(a.body!) as { predictions: number[] }).predictions.length, N / 2 - 9, framing);
        pool.close();
      },
    );
  }
});

test('target.maxResponseBytes: a larger answer is RESPONSE_TOO_LARGE, the connection closed, and the next request fine', async () => {
  const big = `{"x":"${'z'.repeat(5000)}"}`;
  let serverSawClose = 0;
  await withServer(
    (req, sock) => {
      sock.once('close', () => serverSawClose++);
      if (req.body.includes('big-length')) sock.write(ok200(big));
      else if (req.body.includes('big-chunked')) sock.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n${big.slice(0, 4096)}\r\n`);
      else sock.write(ok200());
    },
    async (srv) => {
      const pool = new ConnectionPool(target(srv.port, { maxResponseBytes: 4000 }));
      assert.equal((await call(pool, '"big-length"')).code, 'RESPONSE_TOO_LARGE');
      assert.equal((await call(pool, '"big-chunked"')).code, 'RESPONSE_TOO_LARGE');
      assert.deepEqual(await call(pool), { ...OK, retried: false });
      await sleep(50);
      assert.equal(serverSawClose, 2, 'both oversized answers had their connection closed');
      assert.equal(srv.connections, 3);
      pool.close();
    },
  );
});

test('a run with oversized answers counts them as bad responses with code RESPONSE_TOO_LARGE', async () => {
  let n = 0;
  await withServer(
    (_req, sock) => sock.write(n++ % 4 === 0 ? ok200(`{"pad":"${'p'.repeat(2000)}"}`) : ok200()),
    async (srv) => {
      const s = parseScenarioText(
        scenarioText({ url: `http://127.0.0.1:${srv.port}/model`, load: '  phases: [{ requests: 200, concurrency: 1 }]', target: '  maxResponseBytes: 1KiB' }),
        '/tmp/too-large.yaml',
      );
      assert.equal(s.target.maxResponseBytes, 1024);
      const t = (await executeRun(s, { workers: 1 })).summaries[0].totals;
      assert.deepEqual(accountingErrors(t.requests), []);
      assert.equal(t.requests.badResponses, 50);
      assert.equal(t.errors.byCode.RESPONSE_TOO_LARGE, 50);
      assert.equal(t.requests.ok, 150);
      assert.equal(t.requests.connectionErrors, 0);
    },
  );
});

/** Answers the first request of each connection; a later one is met by the connection closing unanswered. */
const closesReusedConnections: Reply = (req, sock) => {
  if (req.nth === 0) sock.write(ok200());
  else sock.destroy();
};

test('a request on a connection idle ≥ 1 s that the server closes unanswered is sent once more on a fresh connection', async () => {
  await withServer(closesReusedConnections, async (srv) => {
    const pool = new ConnectionPool(target(srv.port));
    assert.deepEqual(await call(pool, '{"n":1}'), { ...OK, retried: false });
    await sleep(STALE_IDLE_MS + 100);
    assert.deepEqual(await call(pool, '{"n":2}'), { ...OK, retried: true });
    // The server saw request 2 twice: on the stale connection (dropped) and on the new one (answered).
    assert.deepEqual(srv.requests.map((r) => [r.body, r.conn, r.nth]), [['{"n":1}', 0, 0], ['{"n":2}', 0, 1], ['{"n":2}', 1, 0]]);
    pool.close();
  });
});

test('never retried: the same failure on a busy connection (a dropped request) or on a fresh one', async () => {
  await withServer(closesReusedConnections, async (srv) => {
    const pool = new ConnectionPool(target(srv.port));
    assert.deepEqual(await call(pool), { ...OK, retried: false });
    const busy = await call(pool); // at once: the connection was idle for far less than STALE_IDLE_MS
    assert.ok(['SOCKET_CLOSED', 'ECONNRESET', 'EPIPE'].includes(busy.code), busy.code);
    assert.equal(busy.retried, false);
    assert.equal(srv.requests.length, 2);
    pool.close();
  });
  await withServer(
    (_req, sock) => sock.destroy(),
    async (srv) => {
      const pool = new ConnectionPool(target(srv.port));
      const fresh = await call(pool);
      assert.ok(['SOCKET_CLOSED', 'ECONNRESET'].includes(fresh.code), fresh.code);
      assert.equal(fresh.retried, false);
      assert.equal(srv.requests.length, 1);
      pool.close();
    },
  );
});

test('a slow open-loop run against a server that closes idle connections: nothing lost, every retry counted', async () => {
  await withServer(closesReusedConnections, async (srv) => {
    // 0.8 req/s: requests 1.25 s apart, each after its connection sat idle past STALE_IDLE_MS.
    const s = parseScenarioText(scenarioText({ url: `http://127.0.0.1:${srv.port}/model`, load: '  phases: [{ duration: 4s, rate: 0.8 }]' }), '/tmp/stale.yaml');
    const sum = (await executeRun(s, { workers: 1 })).summaries[0];
    const t = sum.totals.requests;
    assert.ok(t.scheduled >= 3, `${t.scheduled} scheduled`);
    assert.equal(t.ok, t.scheduled, JSON.stringify(sum.totals.errors));
    // The first request goes out on a new (pre-opened) connection and is answered; every later one is retried once.
    assert.equal(t.retriedOnStaleConnection, t.scheduled - 1);
    assert.equal(sum.phases[0].requests.retriedOnStaleConnection, t.scheduled - 1);
    assert.equal(srv.requests.length, 2 * t.scheduled - 1);
  });
});

test('request head: a scenario Host or Content-Type replaces the default (any case) and is sent once; same bytes every time', async () => {
  await withServer(
    (_req, sock) => sock.write(ok200()),
    async (srv) => {
      const headers = { host: 'churn.models.example.com', 'CONTENT-TYPE': 'application/json; charset=utf-8', Authorization: 'Bearer t' };
      const pool = new ConnectionPool(target(srv.port, { headers }));
      await call(pool);
      await call(pool);
      const [a, b] = srv.requests.map((r) => r.head);
      assert.equal(a, b);
      const lines = a.split('\r\n');
      assert.deepEqual(lines.filter((l) => /^host:/i.test(l)), ['Host: churn.models.example.com']);
      assert.deepEqual(lines.filter((l) => /^content-type:/i.test(l)), ['Content-Type: application/json; charset=utf-8']);
      assert.deepEqual(lines.filter((l) => /^authorization:/i.test(l)), ['Authorization: Bearer t']);
      pool.close();
    },
  );
  // Without an override: the URL's host, with the port only when it is not the scheme's default (RFC 9110 §7.2).
  const head = (url: string) => buildHead({ ...parseTargetUrl(url), headers: {}, contentType: 'application/json', maxResponseBytes: 1 });
  assert.match(head('http://models.example.com/m'), /^POST \/m HTTP\/1\.1\r\nHost: models\.example\.com\r\n/);
  assert.match(head('https://models.example.com:443/m?x=1'), /^POST \/m\?x=1 HTTP\/1\.1\r\nHost: models\.example\.com\r\n/);
  assert.match(head('http://models.example.com:8080/'), /\r\nHost: models\.example\.com:8080\r\n/);
  assert.deepEqual(parseTargetUrl('http://[::1]:9000/v2'), { host: '::1', port: 9000, path: '/v2', hostHeader: '[::1]:9000', secure: false });
  assert.equal(parseTargetUrl('https://h/').port, 443);
});

test('bytes a server sends on an idle connection (a parting 408) retire that connection; the next request is fine', async () => {
  await withServer(
    (req, sock) => {
      sock.write(ok200());
      if (req.nth === 0) setTimeout(() => sock.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'), 20);
    },
    async (srv) => {
      const pool = new ConnectionPool(target(srv.port));
      assert.deepEqual(await call(pool), { ...OK, retried: false });
      await sleep(100);
      assert.deepEqual(await call(pool), { ...OK, retried: false });
      assert.equal(srv.connections, 2);
      pool.close();
    },
  );
});
