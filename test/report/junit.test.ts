import { test } from 'node:test';
import assert from 'node:assert/strict';
import { junitXml, renderJunit, thresholdsSuite } from '../../src/report/junit.js';
import { HOSTILE, makeSummary } from './fixture.js';
import { childrenNamed, parseXml, type XmlNode } from './parse.js';

function suites(xml: string): XmlNode[] {
  const doc = parseXml(xml);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const [root, ...rest] = doc.children;
  assert.equal(rest.length, 0, 'one root element');
  assert.equal(root!.name, 'testsuites');
  return childrenNamed(root!, 'testsuite');
}

test('junit.xml: one "thresholds" suite, a case per threshold plus "run completed", failures with value and limit', () => {
  const s = makeSummary();
  const xml = renderJunit(s);
  const root = parseXml(xml).children[0]!;
  const [suite, ...others] = suites(xml);
  assert.equal(others.length, 0);
  assert.equal(suite!.attrs.name, 'thresholds');
  assert.equal(suite!.attrs.tests, String(s.thresholds.length + 1));
  assert.equal(suite!.attrs.failures, '2');
  assert.equal(root.attrs.tests, suite!.attrs.tests);
  assert.equal(root.attrs.failures, '2');
  assert.equal(suite!.attrs.timestamp, s.run.startedAt);

  const cases = childrenNamed(suite!, 'testcase');
  assert.deepEqual(cases.map((c) => c.attrs.name), [...s.thresholds.map((t) => t.expr), 'run completed']);
  const failed = cases.filter((c) => childrenNamed(c, 'failure').length === 1).map((c) => c.attrs.name);
  assert.deepEqual(failed, ['errors.rate < 1%', 'accuracy >= 0.85']);
  const failure = childrenNamed(cases[1]!, 'failure')[0]!;
  assert.equal(failure.attrs.message, 'errors.rate = 1.23%, limit < 1.00%');
  assert.equal(failure.attrs.type, 'threshold');
  assert.match(failure.text, /measured: 0\.0123\nlimit: < 0\.01/);
  assert.match(childrenNamed(cases[0]!, 'system-out')[0]!.text, /^latency\.p99 = [\d.]+ ms \(limit < 250\.0 ms\)$/);
  const props = childrenNamed(childrenNamed(suite!, 'properties')[0]!, 'property');
  assert.equal(props.find((p) => p.attrs.name === 'seed')?.attrs.value, '42');
});

test('"run completed" fails when the run did not complete', () => {
  for (const status of ['interrupted', 'failed'] as const) {
    const cases = childrenNamed(suites(renderJunit(makeSummary({ status, thresholds: [] })))[0]!, 'testcase');
    assert.equal(cases.length, 1);
    const failure = childrenNamed(cases[0]!, 'failure')[0];
    assert.ok(failure, status);
    assert.match(failure!.attrs.message!, new RegExp(`^run ${status}`));
  }
  const ok = childrenNamed(suites(renderJunit(makeSummary({ thresholds: [] })))[0]!, 'testcase');
  assert.equal(childrenNamed(ok[0]!, 'failure').length, 0);
});

test('hostile strings survive as data: the XML parses and attributes read back verbatim', () => {
  const s = makeSummary({ hostile: true, status: 'failed' });
  const xml = renderJunit(s);
  assert.ok(!xml.includes('<script'));
  const suite = suites(xml)[0]!;
  const cases = childrenNamed(suite, 'testcase');
  assert.equal(cases[0]!.attrs.name, s.thresholds[0]!.expr);
  assert.ok(cases[0]!.attrs.name!.includes(HOSTILE));
  const props = childrenNamed(childrenNamed(suite, 'properties')[0]!, 'property');
  assert.equal(props.find((p) => p.attrs.name === 'name')?.attrs.value, s.run.name);
  assert.match(childrenNamed(cases.at(-1)!, 'failure')[0]!.attrs.message!, /target went away <script>/);
});

test('junitXml builds several suites (compare reuses it) and strips characters XML cannot carry', () => {
  const s = makeSummary();
  const xml = junitXml([
    thresholdsSuite(s),
    { name: 'comparison', cases: [{ name: 'accuracy.delta >= -0.01', classname: 'modelwave.compare', failure: { message: 'Δ -0.03\u0007', type: 'comparison' } }] },
  ]);
  const all = suites(xml);
  assert.deepEqual(all.map((x) => x.attrs.name), ['thresholds', 'comparison']);
  const root = parseXml(xml).children[0]!;
  assert.equal(root.attrs.tests, String(s.thresholds.length + 2));
  assert.equal(root.attrs.failures, '3');
  assert.equal(childrenNamed(childrenNamed(all[1]!, 'testcase')[0]!, 'failure')[0]!.attrs.message, 'Δ -0.03\uFFFD');
});
