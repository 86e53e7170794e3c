// Every http(s) URL form curl accepts either works (the request a server receives is the one written) or is a
// validation error naming the mistake. Sources: RFC 3986 (URI syntax: §3.2.1 userinfo, §3.2.2 IPv6 literals in
// brackets, §3.2.3 default port, §5.2.4 dot segments, §3.5 fragments are not sent), RFC 9112 §3.2 (request-target
// and Host), RFC 7617 (Basic credentials), curl's URL syntax (https://curl.se/docs/url-syntax.html: userinfo is
// percent-decoded and sent as Basic auth; the fragment is never sent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelwaveError } from '../../src/errors.js';
import { ConnectionPool } from '../../src/engine/net/http.js';
import { resolveTargets } from '../../src/engine/main/targets.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { checkHttpUrl, TARGET_SCHEMES } from '../../src/scenario/url.js';

const scenarioFor = (url: string, headers = '') =>
  `target:\n  url: ${JSON.stringify(url)}\n${headers}data:\n  fields:\n    x: { int: [1, 3] }\nload:\n  phases:\n    - { duration: 1s, rate: 10 }\n`;

interface Seen {
  url: string;
  host: string | undefined;
  authorization: string | undefined;
}

async function listen(host: string): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host, authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => res.end('{"prediction": 1}'));
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** Validate the scenario, resolve its target and send one request: what did the server receive? */
async function sendOne(url: string, seen: Seen[]): Promise<Seen> {
  const s = parseScenarioText(scenarioFor(url), 'url.yaml', { env: {} });
  const [t] = await resolveTargets(s, [s.target.url]);
  const pool = new ConnectionPool(t!.http);
  const before = seen.length;
  const c = pool.acquire();
  const status = await new Promise<number>((resolve) => c.send('{}', (st) => resolve(st), Date.now() + 5_000));
  pool.release(c);
  c.close();
  await t!.stop();
  assert.equal(status, 200, url);
  assert.equal(seen.length, before + 1, url);
  return seen[seen.length - 1]!;
}

test('URL forms that work: what the server receives', async () => {
  const v4 = await listen('127.0.0.1');
  const v6 = await listen('::1');
  try {
    const P = v4.port;
    const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
    // [url, request-target received, Host received, Authorization received]
    const rows: [string, string, string, string | undefined][] = [
      [`http://127.0.0.1:${P}/predict`, '/predict', `127.0.0.1:${P}`, undefined], // plain
      [`HTTP://127.0.0.1:${P}/predict`, '/predict', `127.0.0.1:${P}`, undefined], // scheme is case-insensitive
      [`http://127.0.0.1:${P}`, '/', `127.0.0.1:${P}`, undefined], // no path: "/"
      [`http://127.0.0.1:${P}/predict?`, '/predict?', `127.0.0.1:${P}`, undefined], // empty query kept, as curl does
      [`http://127.0.0.1:${P}/p%20q/%C3%A9?a=%2F&b=c+d`, '/p%20q/%C3%A9?a=%2F&b=c+d', `127.0.0.1:${P}`, undefined], // percent-encoding kept
      [`http://127.0.0.1:${P}/a/./b/../c`, '/a/c', `127.0.0.1:${P}`, undefined], // dot segments removed (RFC 3986 §5.2.4, curl too)
      [`http://127.0.0.1:${P}/predict#section`, '/predict', `127.0.0.1:${P}`, undefined], // the fragment is never sent
      [`http://127.0.0.1:${P}/é`, '/%C3%A9', `127.0.0.1:${P}`, undefined], // non-ASCII: UTF-8, percent-encoded
      [`http://user:pa%40ss@127.0.0.1:${P}/predict`, '/predict', `127.0.0.1:${P}`, basic('user:pa@ss')], // userinfo → Basic, percent-decoded
      [`http://user@127.0.0.1:${P}/predict`, '/predict', `127.0.0.1:${P}`, basic('user:')], // user only: empty password
    ];
    for (const [url, path, host, authorization] of rows) {
      const got = await sendOne(url, v4.seen);
      assert.deepEqual(got, { url: path, host, authorization }, url);
    }
    // IPv6 literal in brackets: connects to ::1 (the Host header form is the HTTP client's; see hostHeader below)
    const got6 = await sendOne(`http://[::1]:${v6.port}/predict`, v6.seen);
    assert.equal(got6.url, '/predict');
  } finally {
    v4.server.close();
    v6.server.close();
  }
});

test('URL parts: default ports, IPv6 and Host header values', () => {
  const rows: [string, { host: string; port: number; path: string; hostHeader: string }][] = [
    ['http://models.example.com/v1/predict', { host: 'models.example.com', port: 80, path: '/v1/predict', hostHeader: 'models.example.com' }], // default port
    ['http://models.example.com:80/x', { host: 'models.example.com', port: 80, path: '/x', hostHeader: 'models.example.com' }], // explicit default port
    ['http://LOCALHOST:8080/x', { host: 'localhost', port: 8080, path: '/x', hostHeader: 'localhost:8080' }], // host is case-insensitive
    ['http://[::1]:8080/x', { host: '::1', port: 8080, path: '/x', hostHeader: '[::1]:8080' }], // IPv6: connect without brackets, Host with
    ['http://[2001:db8::7]/x', { host: '2001:db8::7', port: 80, path: '/x', hostHeader: '[2001:db8::7]' }], // IPv6, default port
  ];
  for (const [url, want] of rows) {
    const c = checkHttpUrl(url, TARGET_SCHEMES);
    assert.ok(c.ok, url);
    const { host, port, path, hostHeader } = c.value;
    assert.deepEqual({ host, port, path, hostHeader }, want, url);
  }
});

test('URL forms that are validation errors, each naming the mistake (the password never printed)', () => {
  // [url, the problem after "target.url "]
  const rows: [string, string][] = [
    ['http://127.0.0.1:8080/a b', 'must not contain a space (got "http://127.0.0.1:8080/a b"); percent-encode it (a space is %20) or remove it'], // WHATWG would send %20 silently
    ['http://127.0.0.1:8080/a\tb', 'must not contain a tab (got "http://127.0.0.1:8080/a\\tb"); percent-encode it (a space is %20) or remove it'], // WHATWG drops it
    ['http://127.0.0.1:8080/a\r\nHost: evil', 'must not contain a carriage return (CR) (got "http://127.0.0.1:8080/a\\r\\nHost: evil"); percent-encode it (a space is %20) or remove it'], // WHATWG drops it
    [' http://127.0.0.1:8080/x', 'must not contain a space (got " http://127.0.0.1:8080/x"); percent-encode it (a space is %20) or remove it'], // WHATWG trims it
    ['http://127.0.0.1:8080\\x', 'must not contain a backslash (got "http://127.0.0.1:8080\\\\x"); use / in URLs'], // WHATWG reads it as /
    ['http://127.0.0.1:99999/x', 'has port 99999 (got "http://127.0.0.1:99999/x"); a port is from 1 to 65535'],
    ['http://127.0.0.1:0/x', 'has port 0 (got "http://127.0.0.1:0/x"); a port is from 1 to 65535'],
    ['http://h:8080:90/x', 'has a malformed host or port (got "http://h:8080:90/x"); write host:port with a port from 1 to 65535, IPv6 in brackets like [::1]:8080'],
    ['http://[::1/x', 'has a malformed host or port (got "http://[::1/x"); write host:port with a port from 1 to 65535, IPv6 in brackets like [::1]:8080'],
    ['http:/127.0.0.1/x', 'must be http://host[:port]/path (got "http:/127.0.0.1/x"); the host is missing, or a / after http:'], // WHATWG repairs it
    ['http://', 'must be http://host[:port]/path (got "http://"); the host is missing, or a / after http:'],
    ['127.0.0.1:8080/predict', 'must be an http:// or https:// URL or builtin:telco@v1 (got "127.0.0.1:8080/predict"); add the scheme, e.g. http://127.0.0.1:8080/predict'], // curl guesses http
    ['localhost:8080/predict', 'must be an http:// or https:// URL or builtin:telco@v1 (got "localhost:8080/predict"); add the scheme, e.g. http://127.0.0.1:8080/predict'],
    ['ftp://127.0.0.1/model', 'must be an http:// or https:// URL or builtin:telco@v1 (got "ftp://127.0.0.1/model")'],
    ['https:/models.example.com/x?api_key=PLANTED-KEY', 'must be https://host[:port]/path (got "https:/models.example.com/x?api_key=REDACTED"); the host is missing, or a / after https:'],
    ['http://u:p%zz@127.0.0.1:8080/x', 'has a malformed percent-encoding (%XX) in its user:password part (got "http://127.0.0.1:8080/x")'],
  ];
  for (const [url, want] of rows) {
    let details: string[] = [];
    try {
      parseScenarioText(scenarioFor(url), 'u.yaml', { env: {} });
    } catch (err) {
      assert.ok(err instanceof ModelwaveError && err.exitCode === 2, String(err));
      details = err.details;
    }
    assert.deepEqual(details, [`u.yaml:2:8: target.url ${want}`], url);
  }
});

test('userinfo and an Authorization header together are refused; feedback URLs follow the same rules (https allowed)', () => {
  assert.throws(
    () => parseScenarioText(scenarioFor('http://u:p@127.0.0.1:8080/x', '  headers:\n    authorization: "Bearer t"\n'), 'a.yaml', { env: {} }),
    (err: ModelwaveError) => {
      assert.deepEqual(err.details, ['a.yaml:2:8: target.url has a user:password, which is sent as Authorization: Basic, but target.headers sets authorization too; keep one']);
      return true;
    },
  );
  const fb = (url: string) =>
    `${scenarioFor('builtin:telco@v1')}label:\n  classes: [0, 1]\n  priors: [1, 1]\nfeedback:\n  url: ${JSON.stringify(url)}\n`;
  const s = parseScenarioText(fb('https://u:p%3Aw@labels.example.com/feedback?token=t'), 'f.yaml', { env: {} });
  assert.equal(s.feedback?.url, 'https://labels.example.com/feedback?token=t');
  assert.equal(s.feedback?.authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
  assert.throws(
    () => parseScenarioText(fb('http://h/feed back'), 'f.yaml', { env: {} }),
    (err: ModelwaveError) => /feedback\.url must not contain a space/.test(err.details.join('\n')),
  );
});

test('compare targets (--baseline/--candidate) get the same check when resolved', async () => {
  const s = parseScenarioText(scenarioFor('builtin:telco@v1'), 'c.yaml', { env: {} });
  await assert.rejects(resolveTargets(s, ['http://u:PLANTED@127.0.0.1:1/a b']), (err: ModelwaveError) => {
    assert.equal(err.exitCode, 2);
    assert.equal(err.message, 'target URL must not contain a space (got "http://127.0.0.1:1/a b"); percent-encode it (a space is %20) or remove it');
    return true;
  });
  await assert.rejects(resolveTargets(s, ['http://u:PLANTED@127.0.0.1:1/x?api_key=PLANTED']), (err: ModelwaveError) => {
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /^target http:\/\/127\.0\.0\.1:1\/x\?api_key=REDACTED is not reachable/);
    return true;
  });
});
