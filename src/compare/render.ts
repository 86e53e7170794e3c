// comparison.md (a pull-request-ready verdict and tables) and junit.xml (one test case per rule).
import { escapeMarkdown as md, terminalSafe } from '../report/escape.js';
import { junitXml, type JunitCase } from '../report/junit.js';
import { fmtPValue } from '../report/format.js';
import type { Comparison } from './types.js';

const ICON = { pass: '✅ PASS', fail: '❌ FAIL', inconclusive: '⚠️ INCONCLUSIVE' } as const;
const f4 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(4));
const f2 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : x.toFixed(2));
const signed = (x: number, d = 4) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(d)}` : '—');
const ci = (c: [number, number] | undefined, d = 4) => (c ? `[${c[0].toFixed(d)}, ${c[1].toFixed(d)}]` : '—');

export function renderComparisonMarkdown(c: Comparison): string {
  const out: string[] = [];
  out.push(`# modelwave compare · ${md(c.scenario)}`, '');
  out.push(`**${ICON[c.verdict]}** — ${md(c.headline)}`, '');
  // Targets as plain escaped text, not code spans: inside a code span Markdown shows escapes literally (`&amp;`, `\_`)
  // and an escaped backtick would still close the span.
  out.push(`Baseline ${md(c.baseline.target)} vs candidate ${md(c.candidate.target)} · seed ${c.seed} · ${c.paired ? 'paired on identical rows' : 'unpaired'}`, '');
  for (const w of c.warnings) out.push(`> ⚠️ ${md(w)}`, '');

  out.push('| Rule | Result | Measured | 95% CI | p | Why |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of c.rules) {
    const unitDigits = r.metric.endsWith('.ratio') ? 3 : r.metric.startsWith('latency') ? 2 : 4;
    out.push(`| ${md(r.expr)} | ${ICON[r.status]} | ${r.value === null ? '—' : r.value.toFixed(unitDigits)} | ${ci(r.ci, unitDigits)} | ${fmtPValue(r.pValue)} | ${md(r.reason)} |`);
  }
  out.push('');

  out.push('| Metric | Baseline | Candidate | Δ (cand − base) | 95% CI | p |', '| --- | --- | --- | --- | --- | --- |');
  const a = c.accuracy;
  if (a) out.push(`| Accuracy | ${f4(a.base)} | ${f4(a.cand)} | ${signed(a.delta)} | ${ci(a.ci)} | ${fmtPValue(a.pValue)} |`);
  if (c.baseline.macroF1 !== undefined && c.candidate.macroF1 !== undefined) {
    out.push(`| Macro F1 | ${f4(c.baseline.macroF1)} | ${f4(c.candidate.macroF1)} | ${signed(c.candidate.macroF1 - c.baseline.macroF1)} | — | — |`);
  }
  for (const q of c.latency.quantiles) {
    out.push(`| Latency p${Math.round(q.q * 100)} (ms) | ${f2(q.base)} | ${f2(q.cand)} | ${signed(q.delta, 2)} (×${f2(q.ratio)}) | ${ci(q.deltaCi, 2)} | ${fmtPValue(q.pValue)} |`);
  }
  out.push(`| Error rate | ${(c.errors.base * 100).toFixed(2)}% | ${(c.errors.cand * 100).toFixed(2)}% | ${signed(c.errors.delta * 100, 2)} pp | ${ci([c.errors.ci[0] * 100, c.errors.ci[1] * 100], 2)} pp | ${fmtPValue(c.errors.pValue)} |`);
  out.push(`| Requests (sent / ok) | ${c.baseline.sent} / ${c.baseline.ok} | ${c.candidate.sent} / ${c.candidate.ok} | | | |`, '');

  if (a?.table) {
    const t = a.table;
    out.push(`Paired rows: ${a.n} · both right ${t.a} · baseline only ${t.b} · candidate only ${t.c} · both wrong ${t.d}. ${md(a.test)}; interval: ${md(a.interval)}.`, '');
  }
  if (c.perClass.length) {
    out.push('| Class | Recall base | Recall cand | Δ recall | F1 base | F1 cand | Δ F1 |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const k of c.perClass) out.push(`| ${md(k.label)} | ${f4(k.recallBase)} | ${f4(k.recallCand)} | ${signed(k.recallDelta)} | ${f4(k.f1Base)} | ${f4(k.f1Cand)} | ${signed(k.f1Delta)} |`);
    out.push('');
  }
  const wins = c.perWindow.filter((w) => w.delta !== undefined);
  if (wins.length) {
    const rows = wins.length > 40 ? [...wins.slice(0, 10), ...wins.slice(-10)] : wins;
    out.push('<details><summary>Accuracy per window</summary>', '', '| Window | Baseline | Candidate | Δ |', '| --- | --- | --- | --- |');
    for (const w of rows) out.push(`| ${w.index} | ${f4(w.base)} | ${f4(w.cand)} | ${signed(w.delta ?? NaN)} |`);
    if (rows.length < wins.length) out.push(`| … | ${wins.length - rows.length} more in comparison.json | | |`);
    out.push('', '</details>', '');
  }
  out.push(`<sub>Latency: ${md(c.latency.method)}. Errors: ${md(c.errors.method)}.</sub>`, '');
  return out.join('\n');
}

export function renderComparisonJunit(c: Comparison, failOnInconclusive = false): string {
  const cases: JunitCase[] = c.rules.map((r) => ({
    name: r.expr,
    classname: 'modelwave.compare',
    ...(r.status === 'fail' || (failOnInconclusive && r.status === 'inconclusive')
      ? { failure: { message: r.reason, type: r.status === 'fail' ? 'regression' : 'inconclusive' } }
      : { systemOut: `${r.status}: ${r.reason}` }),
  }));
  return junitXml([{ name: `compare ${c.scenario}`, timestamp: c.createdAt, properties: { verdict: c.verdict, paired: String(c.paired) }, cases }]);
}

/** Plain text for the terminal (comparison.md is for pull requests; entities and pipes would be noise here). */
export function renderComparisonText(c: Comparison): string {
  const t = terminalSafe;
  const out = [`modelwave compare · ${t(c.scenario)} — ${c.verdict.toUpperCase()}`, t(c.headline), `baseline  ${t(c.baseline.target)}`, `candidate ${t(c.candidate.target)}`, `${c.paired ? 'paired on identical rows' : 'unpaired'} · seed ${c.seed}`];
  for (const w of c.warnings) out.push(`warning: ${t(w)}`);
  out.push('', 'rules');
  for (const r of c.rules) out.push(`  ${r.status.toUpperCase().padEnd(12)} ${t(r.expr).padEnd(30)} ${t(r.reason)}`);
  return `${out.join('\n')}\n`;
}
