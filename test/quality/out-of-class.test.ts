// Figures that cannot flatter a failing model, end to end through the engine against small local servers:
// - an answer outside the label's classes (here a model that abstains on a third of the rows) is counted, shown with
//   examples in every report, and scored as wrong unless `label.outOfClass: exclude`; the accuracy is checked
//   against numpy over the answers the server itself logged;
// - `label.positive` set to the first class does not invert ROC AUC or log loss (spec/classes.ts);
// - with nothing scored, accuracy is null / "—", and a threshold on it fails as "not measured".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { executeRun } from '../../src/engine/main/run.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { evaluateThresholds } from '../../src/verdict/thresholds.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import type { Summary } from '../../src/summary/types.js';

interface Logged {
  p: number;
  k: number;
  answer: unknown;
}

/**
 * A kserve-v1 server; `answer(row)` is each instance's prediction. Every (row, answer) is logged, so a test can
 * recompute a figure from what the server said rather than from what modelwave recorded.
 */
async function withServer<T>(answer: (row: { p: number; k: number }) => unknown, fn: (url: string, log: Logged[]) => Promise<T>): Promise<T> {
  const log: Logged[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const rows = (JSON.parse(body) as { instances: { p: number; k: number }[] }).instances;
      const predictions = rows.map((r) => {
        const a = answer(r);
        log.push({ p: r.p, k: r.k, answer: a });
        return a;
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/m:predict`, log);
  } finally {
    server.close();
  }
}

/** The label of a row: class 1 iff p ≥ 0.5 (label.threshold below). */
const truth = (p: number) => (p >= 0.5 ? 1 : 0);

const scenario = (url: string, label: string, extra = '') =>
  parseScenarioText(
    `
name: out-of-class
seed: 11
target: { url: "${url}", protocol: kserve-v1, rowFormat: object, rowsPerRequest: 3, timeout: 5s }
data:
  fields:
    p: { float: [0, 1] }
    k: { int: [0, 2] }
label:
  classes: [0, 1]
  threshold: { field: p, op: ">=", value: 0.5 }
${label}
load:
  workers: 1
  phases: [{ requests: 200, concurrency: 4 }]
thresholds:
  accuracy: ">= 0.7"
${extra}
`,
    '/tmp/out-of-class.yaml',
  );

/** Abstains (answers "abstain") when k = 0, answers right when k = 1, always says 1 when k = 2. */
const abstainer = (r: { p: number; k: number }) => (r.k === 0 ? 'abstain' : r.k === 1 ? truth(r.p) : 1);

/** numpy over the server's log: accuracy counting the abstentions wrong, and leaving them out. */
function numpyAccuracy(log: Logged[]): { wrong: number; exclude: number; abstained: number } {
  const py = `
import json, sys
import numpy as np
log = json.load(sys.stdin)
y = np.array([1 if r["p"] >= 0.5 else 0 for r in log])
a = [r["answer"] for r in log]
inside = np.array([x in (0, 1) and not isinstance(x, bool) for x in a])
pred = np.array([x if i else -1 for x, i in zip(a, inside)])
right = pred == y
print(json.dumps({"wrong": float(right.mean()), "exclude": float(right[inside].mean()), "abstained": int((~inside).sum())}))
`;
  return JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(log) }).toString()) as { wrong: number; exclude: number; abstained: number };
}

test('a model that abstains on a third of the rows: the abstentions are counted, shown and scored wrong; the threshold that passed on the rest fails', async () => {
  await withServer(abstainer, async (url, log) => {
    const s = scenario(url, '');
    const { summaries } = await executeRun(s, { workers: 1 });
    const sum = summaries[0]!;
    sum.thresholds = evaluateThresholds(sum, s.thresholds);
    const ref = numpyAccuracy(log);
    const t = sum.totals;
    assert.equal(log.length, 600);
    assert.ok(ref.abstained > 150 && ref.abstained < 250, `about a third abstained (${ref.abstained})`);
    assert.equal(t.quality?.outOfClass, ref.abstained);
    assert.equal(t.quality?.outOfClassPolicy, 'wrong');
    assert.deepEqual(t.quality?.outOfClassExamples, ['"abstain"']);
    assert.equal(t.quality?.scored, 600, 'every answered row is scored, the abstentions as wrong');
    assert.equal(t.classification?.n, 600);
    assert.ok(Math.abs(t.accuracy! - ref.wrong) < 1e-12, `accuracy ${t.accuracy} vs numpy ${ref.wrong}`);
    assert.ok(ref.exclude >= 0.7 && ref.wrong < 0.7, `the threshold separates the policies (${ref.wrong} vs ${ref.exclude})`);
    assert.equal(sum.thresholds[0]!.pass, false, 'accuracy >= 0.7 fails: the abstentions count');
    // Support = the confusion row plus that class's abstentions.
    const cls = t.classification!;
    cls.classes.forEach((c, i) => assert.equal(c.support, cls.confusion[i]!.reduce((a, b) => a + b, 0) + (cls.outOfClass?.[i] ?? 0)));
    assert.equal(cls.outOfClass!.reduce((a, b) => a + b, 0), ref.abstained);
    // Phases and windows count them as wrong too.
    assert.ok(Math.abs(sum.phases[0]!.accuracy! - ref.wrong) < 1e-6);
    // Visible everywhere.
    const term = renderTerminalSummary(sum);
    assert.match(term, new RegExp(`outside +${ref.abstained} answers outside the classes, counted wrong \\(label\\.outOfClass: wrong, the default\\); e\\.g\\. "abstain"`));
    const md = renderMarkdown(sum);
    assert.match(md, new RegExp(`\\| Answers outside the classes \\| ${ref.abstained} answers outside the classes, counted wrong`));
    assert.match(md, new RegExp(`\\| Scored rows \\| 600 of 600 \\(${ref.abstained} outside the classes, 0 unparsable`));
    const html = await renderHtml(sum);
    assert.match(html, new RegExp(`Answers outside the classes</th><td>(<span class="long">)?${ref.abstained} answers outside the classes, counted wrong`));
    assert.match(html, /e\.g\. &quot;abstain&quot;/);
  });
});

test('label.outOfClass: exclude leaves the abstentions out of accuracy (still counted and shown); the report names the policy', async () => {
  await withServer(abstainer, async (url, log) => {
    const s = scenario(url, '  outOfClass: exclude');
    const { summaries } = await executeRun(s, { workers: 1 });
    const sum = summaries[0]!;
    sum.thresholds = evaluateThresholds(sum, s.thresholds);
    const ref = numpyAccuracy(log);
    const t = sum.totals;
    assert.equal(t.quality?.outOfClass, ref.abstained);
    assert.equal(t.quality?.outOfClassPolicy, 'exclude');
    assert.equal(t.quality?.scored, 600 - ref.abstained);
    assert.ok(Math.abs(t.accuracy! - ref.exclude) < 1e-12, `accuracy ${t.accuracy} vs numpy ${ref.exclude}`);
    assert.equal(t.classification?.outOfClass, undefined);
    assert.equal(sum.thresholds[0]!.pass, true);
    assert.match(renderTerminalSummary(sum), /answers outside the classes, left out of accuracy and the confusion-based figures \(label\.outOfClass: exclude\)/);
  });
});

test('null and unknown values are answers outside the classes too; examples are distinct and at most 5', async () => {
  const odd = (r: { p: number; k: number }) => (r.k === 0 ? null : r.k === 1 ? `class-${Math.floor(r.p * 10)}` : truth(r.p));
  await withServer(odd, async (url, log) => {
    const { summaries } = await executeRun(scenario(url, ''), { workers: 1 });
    const q = summaries[0]!.totals.quality!;
    const outside = log.filter((l) => l.answer === null || typeof l.answer === 'string').length;
    assert.equal(q.outOfClass, outside);
    assert.equal(q.outOfClassExamples!.length, 5);
    assert.equal(new Set(q.outOfClassExamples).size, 5);
    for (const e of q.outOfClassExamples!) assert.match(e, /^(null|"class-\d")$/);
  });
});

test('label.positive set to the first class: a perfect model keeps ROC AUC 1 and log loss ≈ 0 (a probability is P(second class))', async () => {
  // The model answers {prediction, probability} with the probability of class 1 — the reference models' and
  // scikit-learn's convention — at 1 − 1e-6 or 1e-6: perfect and confident.
  const perfect = (r: { p: number }) => ({ prediction: truth(r.p), probability: truth(r.p) === 1 ? 1 - 1e-6 : 1e-6 });
  for (const positive of [0, 1]) {
    await withServer(perfect, async (url, log) => {
      const { summaries } = await executeRun(scenario(url, `  positive: ${positive}`), { workers: 1 });
      const c = summaries[0]!.totals.classification!;
      // Independently: whatever the positive class, every row's true class got probability 1 − 1e-6.
      const ll = log.reduce((a, l) => a - Math.log(truth(l.p) === 1 ? (l.answer as { probability: number }).probability : 1 - (l.answer as { probability: number }).probability), 0) / log.length;
      assert.equal(c.accuracy, 1);
      assert.equal(c.rocAuc, 1, `positive ${positive}: AUC`);
      assert.ok(Math.abs(c.logLoss! - ll) < 1e-9 && ll < 2e-6, `positive ${positive}: log loss ${c.logLoss} vs ${ll}`);
      assert.equal(c.positive?.label, String(positive));
      assert.equal(c.positive?.recall, 1);
    });
  }
});

test('a bare sigmoid output with the first class positive: AUC by brute force over the pairs, and the class at the threshold', async () => {
  // The model answers p itself (P(class 1)); positive = 0, so P(positive) = 1 − p and a row is class 0 when 1 − p ≥ 0.5.
  await withServer((r) => r.p, async (url, log) => {
    const { summaries } = await executeRun(scenario(url, '  positive: 0'), { workers: 1 });
    const c = summaries[0]!.totals.classification!;
    assert.equal(c.accuracy, log.filter((l) => (1 - l.p >= 0.5 ? 0 : 1) === truth(l.p)).length / log.length);
    const pos = log.filter((l) => truth(l.p) === 0).map((l) => 1 - l.p);
    const neg = log.filter((l) => truth(l.p) === 1).map((l) => 1 - l.p);
    let wins = 0;
    for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
    assert.equal(c.rocAuc, wins / (pos.length * neg.length));
    assert.equal(c.rocAuc, 1);
  });
});

test('nothing scored (every request times out): accuracy null in report.json, "—" in every report, a threshold on it fails as not measured', async () => {
  const server = http.createServer(() => {}); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/m:predict`;
    const s = parseScenarioText(
      `
name: all-timeouts
target: { url: "${url}", protocol: kserve-v1, rowFormat: object, timeout: 150ms }
data: { fields: { p: { float: [0, 1] }, k: { int: [0, 2] } } }
label: { classes: [0, 1], threshold: { field: p, op: ">=", value: 0.5 } }
load: { workers: 1, phases: [{ requests: 6, concurrency: 3 }] }
thresholds: { accuracy: ">= 0", f1: ">= 0" }
`,
      '/tmp/all-timeouts.yaml',
    );
    const { summaries } = await executeRun(s, { workers: 1 });
    const sum: Summary = summaries[0]!;
    sum.thresholds = evaluateThresholds(sum, s.thresholds);
    assert.equal(sum.totals.requests.timeouts, 6);
    const json = JSON.parse(JSON.stringify(sum)) as Summary;
    assert.equal(json.totals.accuracy, null);
    assert.equal(json.totals.classification?.accuracy, null);
    assert.equal(json.totals.classification?.macro.f1, null);
    for (const th of json.thresholds) {
      assert.equal(th.pass, false, `${th.expr} never passes unmeasured`);
      assert.equal(th.value, null);
      assert.equal(th.reason, 'no row was scored (0 of 6 requests sent answered ok)');
    }
    const term = renderTerminalSummary(sum);
    assert.match(term, /accuracy +— +not measured: no row scored \(n=0\)/);
    assert.doesNotMatch(term, /accuracy +0\.0000/);
    assert.match(term, /FAIL +accuracy >= 0 +not measured +limit >= 0\.0000 +\(no row was scored \(0 of 6 requests sent answered ok\)\)/);
    const md = renderMarkdown(sum);
    assert.match(md, /\| Accuracy \| — \(not measured: n = 0\) \|/);
    assert.match(md, /not measured: no row was scored/);
    const html = await renderHtml(sum);
    assert.match(html, /<div class="k">Accuracy<\/div><div class="v">—<\/div><div class="d">not measured · n = 0<\/div>/);
    assert.doesNotMatch(md, /\| Accuracy \| 0\.0000/);
    assert.doesNotMatch(html, /<div class="v">0\.0000<\/div>/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
