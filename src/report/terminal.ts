// The summary printed at the end of a run: a compact table, a pure function of the Summary. Colour is opt-in (the
// caller knows whether stdout is a TTY and whether NO_COLOR is set). User strings pass through `terminalSafe`, so a
// scenario name cannot move the cursor or change colours.
import type { Summary } from '../summary/types.js';
import { terminalSafe, truncate } from './escape.js';
import {
  fmtCi,
  fmtFeedback,
  fmtFraction,
  fmtInt,
  fmtMs,
  fmtPercent,
  fmtRateVsPlan,
  fmtSeconds,
  fmtStore,
  fmtThresholdValue,
  FAILURE_KINDS,
  fmtReadAs,
  fmtSample,
  latencyRows,
  fmtOutOfClass,
} from './format.js';
import { verdictOf } from '../verdict/judge.js';
import { validityLine } from '../verdict/validity.js';

interface TerminalOptions {
  /** ANSI colours (default false). */
  color?: boolean;
}

type Paint = (s: string) => string;

function painter(color: boolean) {
  const sgr = (open: number, close: number): Paint => (color ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => s);
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39) };
}

/** Plain user text on one line, cut to `max` characters. */
const safe = (s: unknown, max = 100) => terminalSafe(truncate(String(s), max));

const LABEL_WIDTH = 11;

export function renderTerminalSummary(s: Summary, opts: TerminalOptions = {}): string {
  const c = painter(opts.color ?? false);
  // A label as long as the column still gets a space before its value ('  1st error' is 11).
  const label = (l: string) => c.dim(l.length >= LABEL_WIDTH ? `${l} ` : l.padEnd(LABEL_WIDTH));
  const t = s.totals;
  const r = s.run;
  const v = verdictOf(s);
  const paintVerdict = v.verdict === 'pass' ? c.green : v.verdict === 'fail' ? c.red : (x: string) => x;
  const out: string[] = [];

  out.push(`${c.bold(`modelwave · ${safe(r.name, 60)}`)} — ${c.bold(paintVerdict(v.headline))}`);
  out.push(c.dim(`run ${safe(r.id, 60)} · ${safe(r.status)} · ${fmtSeconds(r.durationMs)} · ${safe(r.target, 80)} · ${safe(r.protocol, 30)}`));
  if (r.error) out.push(c.red(`run error: ${safe(r.error, 200)}`));
  const allFailed = s.thresholds.find((x) => x.default && !x.pass);
  if (allFailed) {
    out.push(c.red(`every request failed: ${safe(allFailed.reason ?? '', 120)} — the default rule errors.rate < 100% fails the run (--allow-all-failed accepts it)`));
  }
  for (const w of r.warnings ?? []) out.push(c.yellow(`warning: ${safe(w, 240)}`));
  if (r.generatorSaturated) {
    out.push(c.yellow(`generator saturated${r.saturationReason ? `: ${safe(r.saturationReason, 300)}` : ''}`));
  }
  out.push('');

  const q = t.requests;
  out.push(`${label('requests')}${fmtInt(q.scheduled)} scheduled · ${fmtInt(q.sent)} sent · ${fmtInt(q.ok)} ok · error rate ${fmtPercent(t.errors.rate)}`);
  const kinds = FAILURE_KINDS.map(([k, name]) => {
    const text = `${fmtInt(q[k])} ${name}`;
    return q[k] > 0 ? c.yellow(text) : text;
  });
  out.push(`${label('  by kind')}${kinds.join(' · ')}`);
  for (const x of t.errors.samples ?? []) {
    out.push(`${label(x.kind === 'httpError' ? '  1st error' : '  1st bad')}${c.yellow(safe(fmtSample(x), 300))}`);
  }
  if (q.retriedOnStaleConnection) out.push(`${label('  retried')}${fmtInt(q.retriedOnStaleConnection)} sent again on a fresh connection after an idle keep-alive connection closed`);
  out.push(`${label('rate')}${fmtRateVsPlan(t, s.phases)}`);
  if (r.validity) out.push(`${label('validity')}${(r.validity.valid ? c.green : c.yellow)(safe(validityLine(r.validity), 600))}`);
  out.push('');

  const cols = ['p50', 'p90', 'p99', 'p99.9', 'max'];
  const num = (x: string) => x.padStart(9);
  out.push(c.dim(`${''.padEnd(LABEL_WIDTH + 3)}${cols.map(num).join('')}`));
  // Latency of successful requests; with failures, the failed and all populations under it, each with its count.
  const lat = latencyRows(t);
  const counted = lat.length > 1;
  const noun = { latency: 'ok', failed: 'failed', all: 'sent' } as const;
  for (const { name, stats: l, key } of lat) {
    const cells = [l?.p50, l?.p90, l?.p99, l?.p999, l?.max].map((x) => num(fmtMs(x))).join('');
    const n = counted ? c.dim(`  n=${fmtInt(t[key]?.count ?? 0)} ${noun[name]}`) : '';
    out.push(`${label(name === 'latency' ? name : `  ${name}`)}${c.dim('ms ')}${cells}${n}`);
  }
  const sv = t.serviceTimeMs.count > 0 ? t.serviceTimeMs : null;
  out.push(`${label('service')}${c.dim('ms ')}${[sv?.p50, sv?.p90, sv?.p99, sv?.p999, sv?.max].map((x) => num(fmtMs(x))).join('')}`);
  out.push(`${label('lag')}${c.dim('ms ')}${[t.lagMs.p50, null, t.lagMs.p99, null, t.lagMs.max].map((x) => num(fmtMs(x))).join('')}`);
  out.push('');

  const cl = t.classification;
  if (cl && cl.accuracy == null) out.push(`${label('accuracy')}—  not measured: no row scored (n=${fmtInt(cl.n)})`);
  else if (cl) out.push(`${label('accuracy')}${fmtFraction(cl.accuracy)}  95% CI ${fmtCi(cl.accuracyCi)}  n=${fmtInt(cl.n)}  macro F1 ${fmtFraction(cl.macro.f1)}`);
  else if (t.accuracy != null) out.push(`${label('accuracy')}${fmtFraction(t.accuracy)}`);
  if (t.regression) {
    const g = t.regression;
    out.push(`${label('regression')}MAE ${fmtFraction(g.mae)} · RMSE ${fmtFraction(g.rmse)} · R² ${fmtFraction(g.r2)}  n=${fmtInt(g.n)}`);
  }
  // Every answer outside the classes is visible: how many, how they were scored, a few of them.
  const outside = t.quality?.outOfClass ? fmtOutOfClass(t.quality) : undefined;
  if (outside) out.push(`${label('  outside')}${c.yellow(safe(outside, 300))}`);
  const readAs = t.quality?.predictionsReadAs;
  // Worth a line only when predictions were not all plain class values (a probability or a score vector was read).
  if (t.quality && readAs && readAs.probability + readAs.argmax > 0) out.push(`${label('  read')}${safe(fmtReadAs(t.quality), 160)}`);
  if (s.drift) out.push(`${label('drift')}${(s.drift.detected ? c.yellow : (x: string) => x)(safe(s.drift.sentence, 160))}`);
  if (cl || t.accuracy != null || t.regression || s.drift) out.push('');

  if (s.thresholds.length) {
    out.push(label('thresholds').trimEnd());
    const width = Math.min(48, Math.max(...s.thresholds.map((x) => safe(x.expr, 48).length)));
    for (const th of s.thresholds) {
      const badge = th.pass ? c.green('PASS') : c.red('FAIL');
      const value = fmtThresholdValue(th, th.value);
      const why = th.value == null && th.reason ? `  ${c.red(safe(`(${th.reason})`, 160))}` : '';
      out.push(`  ${badge}  ${safe(th.expr, 48).padEnd(width)}  ${value.padStart(12)}  ${c.dim(`limit ${th.op} ${fmtThresholdValue(th, th.limit)}`)}${why}`);
    }
  } else {
    out.push(`${label('thresholds')}none`);
  }
  const store = fmtStore(s);
  const feedback = fmtFeedback(s);
  if (store || feedback) out.push('');
  if (store) {
    const bad = s.store && (s.store.error || (s.store.kind !== 'none' && !s.store.complete));
    out.push(`${label('store')}${(bad ? c.yellow : (x: string) => x)(safe(store, 200))}`);
    // The store line may be cut; the spool path never is: it is what the user needs to load the records later.
    const spool = s.store?.spoolPath;
    if (spool) {
      // The embedded store's directory is safe to print; a server URL is shown redacted, so the user adds their own.
      const where = s.store?.kind === 'embedded' ? ` --store ${s.store.location}` : s.store?.kind === 'postgres' ? ' --store <the same URL>' : '';
      out.push(`${label('')}${c.yellow(`load the rest later: modelwave store import ${terminalSafe(spool)}${terminalSafe(where)}`)}`);
    }
  }
  if (feedback) out.push(`${label('feedback')}${safe(feedback, 200)}`);
  return out.join('\n') + '\n';
}
