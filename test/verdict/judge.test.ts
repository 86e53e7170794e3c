// The verdict stage (src/verdict/judge.ts) and the attach stage (src/summary/attach.ts) are pure: the same measured
// Summary gives the same judgement, and nothing they are given is written to (every input is deep-frozen here, so a
// write would throw). Then what the judgement holds: the default all-failed rule, validity with the store's outcome,
// the headline and the exit code; a comparison's verdict; a session's exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSummary } from '../report/fixture.js';
import { initHistograms } from '../../src/stats/hist.js';
import { comparisonExitCode, exitCodeOf, judge, judgeComparison, sessionExitCode, verdictOf } from '../../src/verdict/judge.js';
import { evaluateThresholds, parseThresholdLine } from '../../src/verdict/thresholds.js';
import { assessValidity } from '../../src/verdict/validity.js';
import { attach } from '../../src/summary/attach.js';
import type { Summary } from '../../src/summary/types.js';

await initHistograms();

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** A measured summary as summarize() leaves it: no thresholds, no store, no validity. */
const measured = (change?: (s: Summary) => void): Summary => {
  const s = makeSummary({ thresholds: [] });
  delete s.store;
  delete s.feedback;
  delete s.run.validity;
  change?.(s);
  return deepFreeze(s);
};
const specs = deepFreeze(['latency.p99 < 250ms', 'errors.rate < 1%', 'accuracy >= 0.99'].map(parseThresholdLine));

test('judge is pure: the same frozen input twice gives equal judgements, and the input is unchanged', () => {
  const m = measured();
  const before = JSON.stringify(m);
  const a = judge(m, specs, { allowAllFailed: false });
  const b = judge(m, specs, { allowAllFailed: false });
  assert.deepEqual(a, b);
  assert.notEqual(a.thresholds, b.thresholds, 'a fresh result each time, nothing shared or cached');
  assert.equal(JSON.stringify(m), before);
  // Its parts are the verdict module's own functions, applied to the summary with the thresholds in it.
  assert.deepEqual(a.thresholds, evaluateThresholds(m, specs));
  assert.deepEqual(a.validity, assessValidity({ ...m, thresholds: a.thresholds }));
  assert.deepEqual(a.verdict, verdictOf({ ...m, thresholds: a.thresholds }));
  assert.equal(a.exitCode, exitCodeOf({ ...m, thresholds: a.thresholds }));
});

test('judge: the default rule joins the thresholds when nothing succeeded (unless allowed), and decides the verdict', () => {
  const dead = measured((s) => {
    s.totals.requests = { ...s.totals.requests, ok: 0 };
  });
  const j = judge(dead, specs);
  assert.equal(j.thresholds.length, specs.length + 1);
  const rule = j.thresholds.at(-1)!;
  assert.equal(rule.default, true);
  assert.equal(rule.pass, false);
  assert.match(j.verdict.headline, /^FAIL: no request succeeded; \d of 3 thresholds failed$/);
  assert.equal(j.exitCode, 1);
  const allowed = judge(dead, specs, { allowAllFailed: true });
  assert.equal(allowed.thresholds.length, specs.length);
  assert.ok(allowed.thresholds.every((t) => !t.default));
  // A live run's measured figures with some success: no default rule either way.
  assert.equal(judge(measured(), specs).thresholds.length, specs.length);
});

test('judge: validity reads the store outcome it is given; `validity: false` gives none', () => {
  const m = measured();
  assert.equal(judge(m, []).validity?.valid, true);
  const store = deepFreeze({ kind: 'postgres' as const, location: 'postgres://db', storedRequests: 10, complete: false, spoolPath: '/tmp/x.spool' });
  const j = judge(m, [], { store });
  assert.deepEqual(j.validity?.reasons.map((r) => r.code), ['STORE_INCOMPLETE']);
  assert.equal(j.exitCode, 0, 'validity never changes the exit code');
  assert.equal(judge(m, [], { validity: false }).validity, undefined);
  assert.equal(judge(m, [], { validity: { minDurationMs: 1e9 } }).validity?.reasons[0]?.code, 'SHORT');
});

test('judge: exit code and headline by status — interrupted 130, failed 1, completed by the thresholds', () => {
  // [status, thresholds, exit code, headline]
  const rows: [Summary['run']['status'], string[], number, RegExp][] = [
    ['completed', ['errors.rate < 100%'], 0, /^PASS: all 1 thresholds held$/], // every threshold held
    ['completed', ['errors.rate < 0.0001%'], 1, /^FAIL: 1 of 1 thresholds failed$/], // one failed
    ['completed', [], 0, /^No thresholds$/], // nothing to judge
    ['interrupted', ['errors.rate < 100%'], 130, /^INTERRUPTED: all 1 thresholds held on what was measured/], // Ctrl-C
    ['failed', ['errors.rate < 100%'], 1, /^FAIL: all 1 thresholds held \(run failed\)$/], // a worker failed
  ];
  for (const [status, lines, code, headline] of rows) {
    const j = judge(measured((s) => (s.run.status = status)), lines.map(parseThresholdLine));
    assert.equal(j.exitCode, code, `${status} ${lines}`);
    assert.match(j.verdict.headline, headline);
  }
});

test('attach returns a new Summary with the keys where report.json has them; the measured one is untouched', () => {
  const m = measured();
  const before = JSON.stringify(m);
  const j = judge(m, specs);
  const feedback = deepFreeze({ url: 'http://x/feedback', posted: 1, failed: 0, retried: 0, labelsPosted: 3, labelsFailed: 0 });
  const store = deepFreeze({ kind: 'embedded' as const, location: '/s', storedRequests: 5, complete: true });
  const s = attach(m, { thresholds: j.thresholds, validity: j.validity!, capacity: { id: 'cap-1', probe: 2 }, feedback, store });
  assert.equal(JSON.stringify(m), before);
  assert.deepEqual(Object.keys(s), [...Object.keys(m), 'feedback', 'store']);
  assert.deepEqual(Object.keys(s.run), [...Object.keys(m.run), 'capacity', 'validity']);
  assert.equal(s.thresholds, j.thresholds);
  assert.deepEqual({ ...s, run: m.run, thresholds: [], feedback: undefined, store: undefined }, { ...m, feedback: undefined, store: undefined });
  // Nothing to attach: no new keys.
  assert.deepEqual(Object.keys(attach(m, { thresholds: [] })), Object.keys(m));
});

test('judgeComparison: a version that answered nothing fails the comparison; the wave fate is warned; input untouched', () => {
  const c = deepFreeze({ verdict: 'pass' as const, warnings: ['w0'] });
  const ok = deepFreeze({ thresholds: [] });
  const dead = deepFreeze(judge(measured((s) => (s.totals.requests = { ...s.totals.requests, ok: 0 })), []));
  assert.deepEqual(judgeComparison(c, [ok, ok], { status: 'completed' }), { verdict: 'pass', warnings: ['w0'] });
  const j = judgeComparison(c, [ok, dead], { status: 'interrupted', failure: { message: 'boom' } });
  assert.equal(j.verdict, 'fail');
  assert.equal(j.warnings.length, 4);
  assert.match(j.warnings[1], /interrupted/);
  assert.match(j.warnings[2], /boom/);
  assert.match(j.warnings[3], /^the candidate answered no request successfully .* errors\.rate < 100%/);
  // [verdict, failOnInconclusive, exit code]
  const rows: [('pass' | 'fail' | 'inconclusive'), boolean, number][] = [
    ['pass', false, 0],
    ['fail', false, 1],
    ['inconclusive', false, 0], // undecided passes by default
    ['inconclusive', true, 1], // --fail-on-inconclusive
  ];
  for (const [verdict, strict, code] of rows) assert.equal(comparisonExitCode({ verdict }, strict), code, `${verdict} ${strict}`);
});

test('sessionExitCode: a failure decides, then a Ctrl-C, then the verdict; lost reports are 4 only for a verdict', () => {
  // [verdict, failure exit, interrupted, delivered, exit code]
  const rows: [number, number | undefined, boolean, boolean, number][] = [
    [0, undefined, false, true, 0], // a passing run
    [1, undefined, false, true, 1], // a failing one
    [0, 3, false, true, 3], // a worker failed mid-wave: its code
    [0, 3, false, false, 3], // …even when the reports are lost
    [0, undefined, true, true, 130], // Ctrl-C, even after the wave
    [1, undefined, true, false, 130], // Ctrl-C with lost reports
    [0, undefined, false, false, 4], // nothing written anywhere
    [1, undefined, false, false, 4],
  ];
  for (const [verdict, fx, interrupted, delivered, code] of rows) {
    assert.equal(sessionExitCode({ verdict, ...(fx !== undefined ? { failure: { exitCode: fx } } : {}), interrupted, delivered }), code, JSON.stringify({ verdict, fx, interrupted, delivered }));
  }
});
