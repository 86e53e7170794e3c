import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelwaveError } from '../../src/errors.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { redactScenario, redactUrl } from '../../src/scenario/redact.js';

const scenario = (target: string) =>
  `target:\n${target}\ndata:\n  fields:\n    token_count: { int: [1, 3] }\nload:\n  phases:\n    - { duration: 1s, rate: 10 }\n`;

test('${VAR} in header values and accessKey comes from the given environment', () => {
  const s = parseScenarioText(
    scenario('  url: builtin:telco@v1\n  accessKey: "${KEY}"\n  headers:\n    Authorization: "Bearer ${TOKEN}"\n    X-Both: "${A}-${B}"\n    X-Plain: "$NOT_A_REF"'),
    's.yaml',
    { env: { KEY: 'k1', TOKEN: 't0k', A: 'a', B: '' } },
  );
  assert.deepEqual(s.target.headers, { Authorization: 'Bearer t0k', 'X-Both': 'a-', 'X-Plain': '$NOT_A_REF' });
  assert.equal(s.target.accessKey, 'k1');
});

test('every missing variable is reported, naming the header or key', () => {
  assert.throws(
    () => parseScenarioText(scenario('  url: builtin:telco@v1\n  accessKey: "${KEY}"\n  headers:\n    X-Api-Key: "${API}"'), 's.yaml', { env: {} }),
    (err: ModelwaveError) => {
      assert.deepEqual(err.details, [
        's.yaml:3:14: target.accessKey uses ${KEY}, but the environment variable KEY is not set',
        's.yaml:5:16: target.headers["X-Api-Key"] uses ${API}, but the environment variable API is not set',
      ]);
      return true;
    },
  );
});

test('redacted: secrets, header values and URL credentials never survive; the rest is as written', () => {
  const s = parseScenarioText(
    scenario('  url: "http://bob:hunter2@m.example.test/predict?token=abc&v=2"\n  accessKey: "${KEY}"\n  headers:\n    X-Team: ml'),
    's.yaml',
    { env: { KEY: 'k1' } },
  );
  const text = JSON.stringify(s.redacted);
  for (const secret of ['hunter2', 'bob', 'abc', 'k1', '${KEY}', '"ml"']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.deepEqual((s.redacted as { target: unknown }).target, {
    url: 'http://m.example.test/predict?token=REDACTED&v=2',
    accessKey: 'REDACTED',
    headers: { 'X-Team': 'REDACTED' },
  });
  // field specs under secret-looking names are structure, not secrets; scalars under them are
  assert.deepEqual((s.redacted as { data: unknown }).data, { fields: { token_count: { int: [1, 3] } } });
  // The run requests the URL as written, its userinfo moved into an Authorization header (RFC 7617 Basic).
  assert.equal(s.target.url, 'http://m.example.test/predict?token=abc&v=2');
  assert.equal(s.target.headers.Authorization, `Basic ${Buffer.from('bob:hunter2').toString('base64')}`);
});

test('redactScenario: scalars under secret-looking names (isSecretName), at any depth; feedback.key is an enum', () => {
  assert.deepEqual(
    redactScenario({
      feedback: { url: 'http://u:p@h/feedback?sig=s1', key: 'uuid', apiKey: 'x' },
      nested: [{ password: 'p', Secret: 3, authMode: 'basic', client_secret: 's', safe: 'ok' }],
      description: 'see http://u:p@h/x?access_token=t for details',
    }),
    {
      feedback: { url: 'http://h/feedback?sig=REDACTED', key: 'uuid', apiKey: 'REDACTED' },
      nested: [{ password: 'REDACTED', Secret: 'REDACTED', authMode: 'basic', client_secret: 'REDACTED', safe: 'ok' }],
      description: 'see http://h/x?access_token=REDACTED for details',
    },
  );
  assert.equal(redactUrl('not a url'), 'not a url');
  assert.equal(redactUrl('http://h:1/x?a=1'), 'http://h:1/x?a=1');
});
