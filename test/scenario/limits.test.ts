// Limits on every number (src/scenario/limits.ts) and the data a run would choke on: each a validation error (exit 2)
// naming the path, the bound and the fix — never "Infinity requests", never a hang. The fixtures are
// test/fixtures/bad/limits-*.yaml and data-*.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelwaveError } from '../../src/errors.js';
import { preflight } from '../../src/engine/main/preflight.js';
import { LIMITS } from '../../src/scenario/limits.js';
import { loadScenario, parseScenarioText, type ScenarioOverrides } from '../../src/scenario/load.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BAD = join(ROOT, 'test/fixtures/bad');
const CLI = join(ROOT, 'dist/src/cli/main.js');

/** Everything `modelwave validate` does to a file, in process: the scenario rules, then what a worker builds. */
function validate(file: string): ModelwaveError {
  try {
    preflight(loadScenario(file), file);
  } catch (err) {
    assert.ok(err instanceof ModelwaveError, String(err));
    return err;
  }
  assert.fail(`${file} validated`);
}
const text = (e: ModelwaveError): string => [e.message, ...e.details].join('\n');

// [fixture, what the error must say (a regex over message + details)]. One row per kind of limit or data fault.
const CASES: [string, RegExp][] = [
  ['limits-rate.yaml', /:11:\d+: load\.phases\[0\]\.rate must be at most 1,000,000 requests\/s; .*distributed runs.* \(got 1e\+308\)/],
  ['limits-duration.yaml', /load\.phases\[0\]\.duration must be at most 24h; .*consecutive runs \(got "99999999999h"\)/],
  ['limits-run-duration.yaml', /load\.phases last 40h in all; at most 24h per run/],
  ['limits-concurrency.yaml', /load\.phases\[0\]\.concurrency must be at most 100,000; every request in flight holds a socket.* \(got 10000000\)/],
  ['limits-max-in-flight.yaml', /target\.maxInFlight must be at most 100,000; .* \(got 1000000\)/],
  ['limits-rows-per-request.yaml', /target\.rowsPerRequest must be at most 10,000 rows; send larger inputs as several requests \(got 1000000\)/],
  ['limits-timeout.yaml', /target\.timeout must be at most 1h; .* \(got "2h"\)/],
  ['limits-timeout-zero.yaml', /target\.timeout must be longer than 0/],
  ['limits-think.yaml', /load\.phases\[0\]\.think must be at most 1h/],
  ['limits-steps.yaml', /load\.phases\[0\]\.steps must be at most 10,000 steps; use a linear ramp/],
  ['limits-requests.yaml', /load\.phases\[0\]\.requests must be at most 1,000,000,000 requests per run; .* \(got 5000000000\)/],
  ['limits-planned-requests.yaml', /load\.phases\[0\] plans 3,240,000,000 requests; at most 1,000,000,000 requests per run/],
  ['limits-windows.yaml', /windows\.every makes 360,000 windows over this load \(every 1 requests\); at most 100,000 .*set windows every: 4 or more/],
  ['limits-workers.yaml', /load\.workers must be at most 64 worker threads/],
  ['limits-feedback-after.yaml', /feedback\.after must be at most 1h; .* \(got "48h"\)/],
  ['data-faker-args-type.yaml', /:7:\d+: data\.fields\.device_id\.args\.length must be a number or \{ min, max \} \(got "abc"\)/],
  ['data-faker-args-unknown.yaml', /data\.fields\.device_id\.args\.lenght is not an argument of faker string\.hexadecimal \(it takes length, casing, prefix\)/],
  ['data-faker-args-length.yaml', /data\.fields\.device_id\.args\.length must be an integer from 0 to 10,000 \(got 1000000000\)/],
  ['data-ragged-row.yaml', /data\.source: test\/fixtures\/data\/ragged\.csv:17: 4 cells, header has 5; fix or remove the row/],
  ['data-header-only.yaml', /data\.source: test\/fixtures\/data\/header-only\.csv has a header but no data rows/],
  ['data-broken-jsonl.yaml', /data\.source: test\/fixtures\/data\/bad\.jsonl:3: not valid JSON/],
  ['data-unclosed-quote.yaml', /data\.source: test\/fixtures\/data\/unquoted-end\.csv:3: not valid CSV: a quoted field opened on this line is never closed/],
  ['data-missing-key.yaml', /data\.source: test\/fixtures\/data\/missing-key\.jsonl:3: missing `a`/],
  ['data-label-value.yaml', /label\.classes: test\/fixtures\/data\/cells\.csv:2: label `label` value "maybe" is not one of the classes \[yes, no\]/],
];

for (const [fixture, expected] of CASES) {
  test(`validate ${fixture}: exit-2 error naming the path and the fix`, () => {
    const e = validate(join('test/fixtures/bad', fixture));
    assert.equal(e.exitCode, 2, `${e.code}: ${text(e)}`);
    assert.match(text(e), expected);
    assert.doesNotMatch(text(e), /Infinity|NaN/);
  });
}

test('every limits-/data- fixture has a case above', () => {
  const mine = readdirSync(BAD).filter((f) => /^(limits|data)-.*\.yaml$/.test(f));
  assert.deepEqual(mine.sort(), CASES.map(([f]) => f).sort());
});

test('CLI validate over every limits-/data- fixture: exit 2, each file named, no stack trace, no "Infinity", ends quickly', () => {
  const files = CASES.map(([f]) => join('test/fixtures/bad', f));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'validate', ...files], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const wallMs = Date.now() - t0;
  assert.equal(r.status, 2, r.stderr);
  for (const f of files) assert.ok(r.stderr.includes(f), `${f} not named:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Infinity|internal error/);
  assert.equal(r.stdout, '', 'nothing is "valid."');
  assert.ok(wallMs < 30_000, `validate of ${files.length} files took ${wallMs} ms`);
});

const BASE = `
target: { url: "builtin:telco@v2", protocol: kserve-v1 }
data: { fields: { x: { int: [1, 10] } } }
load:
  phases:
    - { duration: 10s, rate: 100 }
`;
const parse = (overrides: ScenarioOverrides, body = BASE) => parseScenarioText(body, 'limits.yaml', { overrides });

test('command-line overrides are checked by the same bounds and named by their flag (usage error, exit 2)', () => {
  // Table: override → the message it must produce.
  const cases: [ScenarioOverrides, RegExp][] = [
    [{ rate: 1e308 }, /^--rate must be at most 1,000,000 requests\/s; .*\(got 1e\+308\)$/],
    [{ durationMs: 99_999_999_999 * 3_600_000 }, /^--duration must be at most 24h; .*\(got "99999999999h"\)$/],
    [{ concurrency: 10_000_000 }, /^--concurrency must be at most 100,000; /],
    [{ workers: 1000 }, /^--workers must be at most 64 worker threads/],
  ];
  for (const [o, expected] of cases) {
    assert.throws(
      () => parse(o),
      (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_USAGE' && expected.test(e.message),
      JSON.stringify(o),
    );
  }
});

test('overrides within each bound but over a plan limit name the flag that made the plan', () => {
  // target.maxInFlight bounds open loop only: a closed loop above it is fine (its concurrency is its own bound).
  const named = BASE.replace('protocol: kserve-v1', 'protocol: kserve-v1, rowFormat: object');
  assert.deepEqual(parse({ concurrency: 20_000 }, named).load.phases.map((p) => [p.kind, p.kind === 'closed' && p.concurrency]), [['closed', 20_000]]);
  assert.throws(
    () => parse({ rate: 900_000, durationMs: 3_600_000 }),
    (e: unknown) => e instanceof ModelwaveError && /load\.phases\[0\] plans 3,240,000,000 requests \(with --rate and --duration\)/.test(text(e)),
  );
});

test('values right at each bound are accepted', () => {
  const atBounds = `
target: { url: "builtin:telco@v2", protocol: kserve-v1, rowFormat: object, timeout: 1h, rowsPerRequest: ${LIMITS.rowsPerRequest}, maxInFlight: ${LIMITS.inFlight} }
data: { fields: { x: { int: [1, 10] } } }
load:
  workers: ${LIMITS.workers}
  phases:
    - { duration: 1s, rate: ${LIMITS.ratePerSecond}, rampTo: ${LIMITS.ratePerSecond} }
    - { duration: 1s, rate: 1, rampTo: 2, steps: ${LIMITS.steps} }
    - { duration: 10s, concurrency: ${LIMITS.inFlight}, think: 1h, requests: 1000 }
windows: { every: 100 }
feedback: { url: builtin, after: 1h, batchSize: ${LIMITS.feedbackBatchSize}, maxRate: ${LIMITS.feedbackMaxRate}, retries: ${LIMITS.feedbackRetries} }
label: { logistic: { weights: { x: 1 } } }
`;
  const s = parseScenarioText(atBounds, 'at-bounds.yaml');
  assert.equal(s.plannedRequests, 1_000_000 + 1 + 1000);
});

test('data.progressOver is a request count, bounded like one', () => {
  assert.throws(
    () => parseScenarioText(BASE.replace('data: { fields: { x: { int: [1, 10] } } }', 'data: { fields: { x: { int: [1, 10] } }, progressOver: 5000000000 }'), 'p.yaml'),
    (e: unknown) => e instanceof ModelwaveError && /data\.progressOver must be at most 1,000,000,000 requests per run; drift cannot progress/.test(text(e)),
  );
});

test('a bound rejects the value before anything plans with it: rate 1e308 with steps returns at once', () => {
  const t0 = Date.now();
  assert.throws(() => parseScenarioText(BASE.replace('rate: 100', 'rate: 1e308, rampTo: 1e308, steps: 1e9'), 'x.yaml'), ModelwaveError);
  assert.ok(Date.now() - t0 < 5_000);
});

test('validate never prints "Infinity": every scenario in scenarios/ describes finite plans', () => {
  const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios', f));
  const r = spawnSync(process.execPath, [CLI, 'validate', ...files], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.match(/^valid\.$/gm)?.length, files.length);
  assert.doesNotMatch(r.stdout, /Infinity|NaN/);
});
