// Header checks (RFC 9110): what a scenario may put in target.headers, since it goes on the wire byte for byte.
// Sources: RFC 9110 §5.1 (field-name = token), §5.5 (field values: no CR, LF or NUL; visible characters), §7.6.1
// (connection-specific fields), RFC 9112 §6 (Content-Length / Transfer-Encoding frame the message), §3.2 (Host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelwaveError } from '../../src/errors.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { isValidHostHeader } from '../../src/scenario/headers.js';
import { CLI } from '../engine/helpers.js';

const scenario = (headers: string) =>
  `target:\n  url: http://127.0.0.1:9/predict\n  headers:\n${headers}\ndata:\n  fields:\n    x: { int: [1, 3] }\nload:\n  phases:\n    - { duration: 1s, rate: 10 }\n`;

function problems(headers: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseScenarioText(scenario(headers), 's.yaml', { env });
  } catch (err) {
    assert.ok(err instanceof ModelwaveError);
    assert.equal(err.exitCode, 2);
    return err.details.map((d) => d.replace(/^s\.yaml:\d+:\d+: /, ''));
  }
  return [];
}

test('accepted: tokens, Host and Content-Type (they replace the defaults), tabs and spaces inside values', () => {
  const s = parseScenarioText(
    scenario(
      [
        '    Authorization: "Bearer ${TOKEN}"',
        '    Host: churn.models.example.com', // KServe/Istio route by Host
        '    Content-Type: application/json; charset=utf-8',
        '    X-Weird_Name.v2: "!#$%&\'*+-.^_`|~"',
        '    X-Tab: "a\\tb c"',
        '    X-Num: 5',
      ].join('\n'),
    ),
    's.yaml',
    { env: { TOKEN: 't0k' } },
  );
  assert.deepEqual(s.target.headers, {
    Authorization: 'Bearer t0k',
    Host: 'churn.models.example.com',
    'Content-Type': 'application/json; charset=utf-8',
    'X-Weird_Name.v2': "!#$%&'*+-.^_`|~",
    'X-Tab': 'a\tb c',
    'X-Num': '5',
  });
});

test('refused: names that are not tokens, framing and connection headers, case duplicates, bad values', () => {
  const rows: [string, string][] = [
    // a space would split the header line
    ['    X Api: a', 'target.headers["X Api"] is not a valid header name: it contains a space; a header name is letters, digits and !#$%&\'*+-.^_`|~ (RFC 9110 token)'],
    // a colon ends the name on the wire
    ['    "X-A:": b', 'target.headers["X-A:"] is not a valid header name: it contains a colon (write the name without it; the value goes after the key); a header name is letters, digits and !#$%&\'*+-.^_`|~ (RFC 9110 token)'],
    // empty name
    ['    "": b', 'target.headers[""] is not a valid header name: it is empty'],
    // non-ASCII name
    ['    Ünicode: b', 'target.headers["Ünicode"] is not a valid header name: it contains a non-ASCII character (U+00DC); a header name is letters, digits and !#$%&\'*+-.^_`|~ (RFC 9110 token)'],
    // two Content-Length headers: request smuggling territory
    ['    Content-Length: "5"', 'target.headers["Content-Length"] is set by modelwave from each request body; remove it (a second Content-Length makes the message length ambiguous, which is how request smuggling starts)'],
    ['    transfer-encoding: chunked', 'target.headers["transfer-encoding"] cannot be set: modelwave sends every body with a Content-Length; remove it'],
    ['    Connection: close', 'target.headers.Connection cannot be set: modelwave manages its connections (persistent HTTP/1.1); remove it'],
    ['    Keep-Alive: timeout=5', 'target.headers["Keep-Alive"] cannot be set: modelwave manages its connections (persistent HTTP/1.1); remove it'],
    ['    Upgrade: h2c', 'target.headers.Upgrade cannot be set: modelwave speaks HTTP/1.1 and does not switch protocols; remove it'],
    // header names are case-insensitive: two spellings are two headers on the wire
    ['    authorization: a\n    Authorization: b', 'target.headers.Authorization duplicates target.headers.authorization (header names are case-insensitive); keep one'],
    // Host must be a host[:port]
    ['    Host: "bad host"', 'target.headers.Host must be host or host:port, e.g. model.example.com or 10.0.0.7:8080 or [::1]:8080 (it replaces the Host derived from target.url)'],
    ['    Host: "h:99999"', 'target.headers.Host must be host or host:port, e.g. model.example.com or 10.0.0.7:8080 or [::1]:8080 (it replaces the Host derived from target.url)'],
    // CR LF written in the file (double-quoted escapes)
    ['    X-Lit: "a\\r\\nInjected: 1"', 'target.headers["X-Lit"] contains a line break (CR LF); a header value is one line of visible ASCII (a YAML block scalar | or > or a "\\n" escape adds line breaks)'],
    // a block scalar keeps its final newline
    ['    X-Block: |\n      abc', 'target.headers["X-Block"] contains a line break (LF); a header value is one line of visible ASCII (a YAML block scalar | or > or a "\\n" escape adds line breaks)'],
    ['    X-Nul: "a\\0b"', 'target.headers["X-Nul"] contains a NUL character; a header value is one line of visible ASCII'],
    ['    X-Bell: "a\\ab"', 'target.headers["X-Bell"] contains a control character (U+0007); a header value is one line of visible ASCII'],
    ['    X-Uni: "é"', 'target.headers["X-Uni"] contains a non-ASCII character (U+00E9); a header value is one line of visible ASCII'],
  ];
  for (const [headers, want] of rows) assert.deepEqual(problems(headers), [want], headers);
});

test('after ${VAR} substitution: the variable is named, the value never printed, and the fix given', () => {
  const secret = 'PLANTED-TOKEN-77';
  const crlf = problems('    Authorization: "Bearer ${MODEL_TOKEN}"', { MODEL_TOKEN: `${secret}\r\n` });
  assert.deepEqual(crlf, [
    'target.headers.Authorization gets a line break (CR LF) from ${MODEL_TOKEN}: the environment variable MODEL_TOKEN ends with a line break (CR LF); strip it, e.g. export MODEL_TOKEN="$(tr -d \'\\r\\n\' < token.txt)" (a file saved with CRLF line ends keeps its CR even through $(cat))',
  ]);
  // $(cat file) strips the LF but keeps the CR of a CRLF file
  const cr = problems('    Authorization: "Bearer ${T}"', { T: `${secret}\r` });
  assert.match(cr[0]!, /^target\.headers\.Authorization gets a carriage return \(CR\) from \$\{T\}: the environment variable T ends with a carriage return \(CR\); strip it/);
  // in the middle: an injected header
  const mid = problems('    X-Key: "${K}"', { K: `${secret}\r\nX-Admin: true` });
  assert.match(mid[0]!, /the environment variable K contains a line break \(CR LF\)/);
  const nonAscii = problems('    X-Key: "${K}"', { K: 'café' });
  assert.match(nonAscii[0]!, /gets a non-ASCII character \(U\+00E9\) from \$\{K\}: .*percent-encode or base64 it$/);
  for (const p of [...crlf, ...cr, ...mid]) assert.ok(!p.includes(secret), p);
});

test('CLI: a token with CRLF line ends in ${ENV} is exit 2 at validate and run, and the token is never printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-headers-'));
  const file = join(dir, 'crlf.yaml');
  writeFileSync(file, scenario('    Authorization: "Bearer ${MW_CRLF_TOKEN}"'));
  const env = { ...process.env, MW_CRLF_TOKEN: 'PLANTED-CRLF-TOKEN\r\n', MODELWAVE_DEBUG: '' };
  for (const args of [['validate', file], ['run', file, '--no-store', '--quiet', '--out', join(dir, 'out')]]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /crlf\.yaml:4:\d+: target\.headers\.Authorization gets a line break \(CR LF\) from \$\{MW_CRLF_TOKEN\}/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('PLANTED-CRLF-TOKEN'));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('isValidHostHeader: uri-host [":" port]', () => {
  const rows: [string, boolean][] = [
    ['example.com', true],
    ['example.com:8080', true],
    ['10.0.0.7', true],
    ['[::1]:8080', true],
    ['[::1]', true],
    ['[not-ipv6]:80', false],
    ['host:', false],
    ['host:65536', false],
    ['a b', false],
    ['', false],
    ['user@host', false],
    ['host/path', false],
  ];
  for (const [v, ok] of rows) assert.equal(isValidHostHeader(v), ok, v);
});
