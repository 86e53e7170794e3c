// https:// targets end to end: a test CA and certificates made with openssl in a temp dir, a TLS server written by
// hand, and `modelwave run` as a user runs it. Trust (target.tls.ca, NODE_EXTRA_CA_CERTS), mutual TLS, a certificate
// the run must refuse (exit 3 before the wave, the host and the fix named, no request sent), and insecure mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Summary } from '../../../src/summary/types.js';
import { ok200, rawHttpServer, runCli, scenarioText, type RawServer } from '../rawhttp.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mw-tls-'));
const f = (name: string) => path.join(dir, name);
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA, and leaf certificates it signs (server: for localhost and 127.0.0.1; client: for mutual TLS). */
function makePki(): void {
  for (const ca of ['ca', 'other-ca']) ssl('req', '-x509', ...EC, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=modelwave test ${ca}`);
  const leaf = (name: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  leaf('server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('elsewhere', 'subjectAltName=DNS:model.elsewhere.test\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
}
makePki();

const pem = (name: string) => readFileSync(f(name));
const httpsServer = (opts: { cert?: string; requireClientCert?: boolean } = {}) =>
  rawHttpServer((_req, sock) => sock.write(ok200()), {
    key: pem(`${opts.cert ?? 'server'}.key`),
    cert: pem(`${opts.cert ?? 'server'}.pem`),
    ...(opts.requireClientCert && { requestCert: true, rejectUnauthorized: true, ca: pem('ca.pem') }),
  });

let n = 0;
function scenario(url: string, tlsYaml: string, extra = ''): string {
  const file = f(`s${n++}.yaml`);
  writeFileSync(file, scenarioText({ url, load: '  phases: [{ duration: 1s, rate: 40 }]', target: tlsYaml, extra }));
  return file;
}
const run = (file: string, out: string, env: NodeJS.ProcessEnv = process.env) => runCli(['run', file, '--quiet', '--no-store', '--out', f(out)], env);
const report = (out: string) => JSON.parse(readFileSync(path.join(f(out), 'report.json'), 'utf8')) as Summary;

async function withServer<T>(srv: Promise<RawServer>, fn: (s: RawServer) => Promise<T>): Promise<T> {
  const s = await srv;
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

test('https with target.tls.ca: every request answered over keep-alive TLS, SNI and Host carry the host name', async () => {
  await withServer(httpsServer(), async (srv) => {
    const r = await run(scenario(`https://localhost:${srv.port}/model`, '  tls: { ca: ca.pem }'), 'ok');
    assert.equal(r.status, 0, r.stderr);
    const t = report('ok').totals.requests;
    assert.equal(t.ok, 40);
    assert.equal(t.sent, 40);
    assert.equal(srv.requests.length, 40);
    // Keep-alive: far fewer handshakes than requests (pre-opened connections plus the probe's).
    assert.ok(srv.connections < 20, `${srv.connections} TLS connections for 40 requests`);
    assert.ok(srv.servernames.every((s) => s === 'localhost'), String(srv.servernames));
    assert.match(srv.requests[0].head, new RegExp(`\\r\\nHost: localhost:${srv.port}\\r\\n`));
    assert.equal(report('ok').run.warnings, undefined);
  });
});

test('an IP address target gets no SNI (RFC 6066) and is verified against the IP in the certificate', async () => {
  await withServer(httpsServer(), async (srv) => {
    const r = await run(scenario(`https://127.0.0.1:${srv.port}/model`, '  tls: { ca: ca.pem }'), 'ip');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(report('ip').totals.requests.ok, 40);
    assert.ok(srv.servernames.every((s) => s === false), String(srv.servernames));
  });
});

test('NODE_EXTRA_CA_CERTS is trusted, alone and beside a target.tls.ca that names another CA', async () => {
  await withServer(httpsServer(), async (srv) => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: f('ca.pem') };
    const alone = await run(scenario(`https://localhost:${srv.port}/model`, ''), 'extra', env);
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal(report('extra').totals.requests.ok, 40);
    const beside = await run(scenario(`https://localhost:${srv.port}/model`, '  tls: { ca: other-ca.pem }'), 'extra2', env);
    assert.equal(beside.status, 0, beside.stderr);
    assert.equal(report('extra2').totals.requests.ok, 40);
  });
});

test('a certificate from a CA the run does not trust: exit 3 before the wave, naming the host and the fix; nothing sent', async () => {
  await withServer(httpsServer(), async (srv) => {
    for (const tlsYaml of ['  tls: { ca: other-ca.pem }', '']) {
      const r = await run(scenario(`https://localhost:${srv.port}/model`, tlsYaml), 'untrusted');
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`certificate of localhost:${srv.port} is not trusted`));
      assert.match(r.stderr, /set target\.tls\.ca to the PEM file of the CA that signed it/);
      assert.match(r.stderr, /target\.tls\.insecure: true/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(srv.requests.length, 0);
  });
});

test('a certificate for another name: exit 3 saying so', async () => {
  await withServer(httpsServer({ cert: 'elsewhere' }), async (srv) => {
    const r = await run(scenario(`https://localhost:${srv.port}/model`, '  tls: { ca: ca.pem }'), 'name');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`certificate of localhost:${srv.port} is not for this name`));
    assert.match(r.stderr, /model\.elsewhere\.test/);
    assert.equal(srv.requests.length, 0);
  });
});

test('target.tls.insecure: the run goes ahead, and the terminal and report.json say the certificate was not verified', async () => {
  await withServer(httpsServer(), async (srv) => {
    const r = await run(scenario(`https://localhost:${srv.port}/model`, '  tls: { insecure: true }'), 'insecure');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: target\\.tls\\.insecure is true: the certificate of localhost:${srv.port} is not verified`));
    const s = report('insecure');
    assert.equal(s.totals.requests.ok, 40);
    assert.equal(s.run.warnings?.length, 1);
    assert.match(s.run.warnings![0], /is not verified/);
    assert.match(readFileSync(path.join(f('insecure'), 'report.md'), 'utf8'), /\*\*Warning:\*\* target\.tls\.insecure/);
  });
});

test('mutual TLS: with target.tls.cert and key the run is answered; without, exit 3 asking for a client certificate', async () => {
  await withServer(httpsServer({ requireClientCert: true }), async (srv) => {
    const url = `https://localhost:${srv.port}/model`;
    const r = await run(scenario(url, '  tls: { ca: ca.pem, cert: client.pem, key: client.key }'), 'mtls');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(report('mtls').totals.requests.ok, 40);
    const before = srv.requests.length;
    const no = await run(scenario(url, '  tls: { ca: ca.pem }'), 'mtls-no');
    assert.equal(no.status, 3, no.stderr);
    assert.match(no.stderr, new RegExp(`localhost:${srv.port} refused the TLS connection .*client certificate.*target\\.tls\\.cert and target\\.tls\\.key`));
    assert.equal(srv.requests.length, before, 'no request sent without a client certificate');
  });
});

test('feedback to an https:// URL uses the same trust and client certificate', async () => {
  await withServer(httpsServer({ requireClientCert: true }), async (srv) => {
    const url = `https://localhost:${srv.port}`;
    const file = scenario(`${url}/model`, '  tls: { ca: ca.pem, cert: client.pem, key: client.key }', `feedback: { url: "${url}/feedback", after: 0ms, batchSize: 10 }`);
    const r = await run(file, 'feedback');
    assert.equal(r.status, 0, r.stderr);
    const fb = report('feedback').feedback!;
    assert.equal(fb.failed, 0);
    assert.equal(fb.labelsPosted, 40);
    assert.ok(srv.requests.some((q) => q.head.startsWith('POST /feedback ')));
  });
});

test('bad target.tls files: exit 2 naming the key, from validate and run alike', async () => {
  writeFileSync(f('not-a-cert.pem'), 'hello\n');
  const cases: [string, RegExp][] = [
    ['  tls: { ca: missing.pem }', /target\.tls\.ca names a file that does not exist/],
    ['  tls: { ca: not-a-cert.pem }', /target\.tls\.ca is not a PEM certificate file/],
    ['  tls: { cert: client.pem }', /target\.tls\.cert needs target\.tls\.key too/],
    ['  tls: { cert: client.pem, key: server.key }', /target\.tls\.key cannot be used with target\.tls\.cert/],
    ['  tls: { insecure: "yes" }', /target\.tls\.insecure must be true or false/],
  ];
  for (const [yaml, message] of cases) {
    const file = scenario('https://localhost:1/model', yaml);
    for (const cmd of ['validate', 'run']) {
      const r = await runCli(cmd === 'run' ? ['run', file, '--quiet', '--no-store'] : ['validate', file]);
      assert.equal(r.status, 2, `${cmd} ${yaml}: ${r.stderr}`);
      assert.match(r.stderr, message, `${cmd} ${yaml}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  }
});

test('reconnects resume the TLS session (a ticket from an earlier connection) instead of a full handshake', async () => {
  const { ConnectionPool } = await import('../../../src/engine/net/http.js');
  const { loadTlsMaterial } = await import('../../../src/engine/net/tls.js');
  const resumed: boolean[] = [];
  // Every answer closes its connection, so each request needs a new one.
  await withServer(
    rawHttpServer((_req, sock) => {
      resumed.push((sock as import('node:tls').TLSSocket).isSessionReused());
      sock.end(ok200('{"ok":1}', 'Connection: close\r\n'));
    }, { key: pem('server.key'), cert: pem('server.pem') }),
    async (srv) => {
      const pool = new ConnectionPool({
        host: 'localhost',
        port: srv.port,
        path: '/model',
        hostHeader: `localhost:${srv.port}`,
        headers: {},
        contentType: 'application/json',
        maxResponseBytes: 1 << 20,
        tls: loadTlsMaterial({ ca: f('ca.pem'), insecure: false }),
      });
      for (let i = 0; i < 4; i++) {
        const status = await new Promise<number>((resolve) => {
          const c = pool.acquire();
          c.send('{}', (st) => (pool.release(c), resolve(st)), Date.now() + 5000);
        });
        assert.equal(status, 200);
      }
      pool.close();
      assert.equal(srv.connections, 4);
      assert.equal(resumed[0], false);
      assert.deepEqual(resumed.slice(1), [true, true, true], String(resumed));
    },
  );
});
