// The one redaction policy (src/scenario/redact.ts), row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName, redactSecrets, redactText, redactUrl } from '../../src/scenario/redact.js';

test('isSecretName: secret-looking parameter names', () => {
  const secret = [
    'api_key', 'apikey', 'API_KEY', 'apiKey', 'accessKey', 'AccessKey', 'access_token', 'token', 'key', 'secret', 'password',
    'passwd', 'pwd', 'sig', 'signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'auth', 'client_secret',
    'clientSecret', 'refresh_token', 'sessionToken', 'private-key', 'keys', 'credentials', 'pass', 'code.key',
  ];
  const plain = ['v', 'model', 'monkey', 'keyboard', 'author', 'authMode', 'signal', 'token_count', 'passes', 'bypass', 'format', 'id', 'limit'];
  for (const n of secret) assert.equal(isSecretName(n), true, n);
  for (const n of plain) assert.equal(isSecretName(n), false, n);
});

test('redactUrl: userinfo removed, secret parameters REDACTED, everything else byte for byte', () => {
  const rows: [string, string][] = [
    ['http://h:1/x?a=1', 'http://h:1/x?a=1'], // nothing to hide: unchanged
    ['http://user:pw@h/x', 'http://h/x'], // userinfo
    ['http://token@h/x', 'http://h/x'], // a user name alone is often a token
    ['http://u:p@ss@h/x', 'http://h/x'], // unencoded @ in the password: up to the last @
    ['http://h/x?api_key=abc&v=2', 'http://h/x?api_key=REDACTED&v=2'],
    ['http://h/x?v=2&accessKey=abc', 'http://h/x?v=2&accessKey=REDACTED'], // the Cloudera way
    ['http://h/x?api%5Fkey=abc', 'http://h/x?api%5Fkey=REDACTED'], // percent-encoded name
    ['http://h/x?a=%20b&Signature=s%2Fx&c', 'http://h/x?a=%20b&Signature=REDACTED&c'], // encodings elsewhere kept
    ['http://h/cb#access_token=t&state=s', 'http://h/cb#access_token=REDACTED&state=s'], // OAuth implicit flow fragment
    ['http://u:p@h:99999/x?token=t', 'http://h:99999/x?token=REDACTED'], // a URL new URL() rejects is still redacted
    ['http://u:p@h/a b?token=t', 'http://h/a b?token=REDACTED'], // a space: still redacted
    ['HTTP://U:P@[::1]:8080/x?KEY=1', 'HTTP://[::1]:8080/x?KEY=REDACTED'], // as written, case kept
    ['postgres://mw:pw@db:5432/m?password=p&sslmode=require', 'postgres://db:5432/m?password=REDACTED&sslmode=require'], // store URLs
    ['http://h', 'http://h'],
    ['builtin:telco@v1', 'builtin:telco@v1'], // not a URL with an authority
    ['/srv/modelwave/store', '/srv/modelwave/store'],
    ['not a url', 'not a url'],
  ];
  for (const [url, want] of rows) assert.equal(redactUrl(url), want, url);
});

test('redactText: every URL inside a message', () => {
  assert.equal(
    redactText('target http://u:p@h:1/x?token=t is not reachable (ECONNREFUSED); also see "https://a@b/c?sig=1".'),
    'target http://h:1/x?token=REDACTED is not reachable (ECONNREFUSED); also see "https://b/c?sig=REDACTED".',
  );
  assert.equal(redactText('scenario s.yaml:3:5: target.url must be …'), 'scenario s.yaml:3:5: target.url must be …');
});

test('redactSecrets: header values, accessKey, authorization and URLs in any structure; idempotent; keys kept', () => {
  const input = {
    run: { target: 'http://u:p@h/x?api_key=k', key: 'uuid', token_count: 3 },
    scenario: { target: { headers: { Authorization: 'Bearer t', 'X-Team': 'ml' }, accessKey: 'ak' } },
    feedback: { url: 'http://h/f?token=t', authorization: 'Basic x' },
    list: ['http://a:b@h/'],
    __proto__x: 1,
  };
  const once = redactSecrets(input);
  assert.deepEqual(once, {
    run: { target: 'http://h/x?api_key=REDACTED', key: 'uuid', token_count: 3 },
    scenario: { target: { headers: { Authorization: 'REDACTED', 'X-Team': 'REDACTED' }, accessKey: 'REDACTED' } },
    feedback: { url: 'http://h/f?token=REDACTED', authorization: 'REDACTED' },
    list: ['http://h/'],
    __proto__x: 1,
  });
  assert.deepEqual(redactSecrets(once), once);
  // A `__proto__` key stays a key of the copy.
  const proto = redactSecrets(JSON.parse('{"__proto__": {"headers": {"a": "b"}}}')) as Record<string, unknown>;
  assert.ok(Object.hasOwn(proto, '__proto__'));
  assert.equal(JSON.stringify(proto), '{"__proto__":{"headers":{"a":"REDACTED"}}}');
});
