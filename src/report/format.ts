// Number formatting and small derived facts shared by every reporter, so the terminal, Markdown, HTML and JUnit
// outputs of one Summary always agree on how a value reads. Returns plain (unescaped) strings.
import type { LatencyPopulations, LatencyStats, PhaseSummary, RequestCounts, Summary, ThresholdResult, QualityCounts, ResponseSample, WindowSummary } from '../summary/types.js';

// Built on first use, not at load: a process's first Intl number format costs ~14 ms of CPU (ICU data), and every run
// loads this module while a quiet JSON-only run never formats a number.
let intNf: Intl.NumberFormat | undefined;
let oneNf: Intl.NumberFormat | undefined;
const intFmt = { format: (n: number): string => (intNf ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(n) };
const oneFmt = { format: (n: number): string => (oneNf ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })).format(n) };

export const fmtInt = (n: number): string => (Number.isFinite(n) ? intFmt.format(n) : '—');

const plural = (n: number, one: string, many = `${one}s`): string => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** Milliseconds without unit: 3 decimals under 1 ms (µs precision), 2 under 100 ms, 1 above. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a < 1) return ms.toFixed(3);
  if (a < 100) return ms.toFixed(2);
  return oneFmt.format(ms);
}

export const fmtRps = (rps: number | null | undefined): string =>
  rps == null || !Number.isFinite(rps) ? '—' : rps >= 100 ? intFmt.format(rps) : oneFmt.format(rps);

export const fmtFraction = (f: number | null | undefined, digits = 4): string =>
  f == null || !Number.isFinite(f) ? '—' : f.toFixed(digits);

export function fmtPercent(f: number | null | undefined): string {
  if (f == null || !Number.isFinite(f)) return '—';
  const p = f * 100;
  return (p !== 0 && Math.abs(p) < 0.01 ? p.toPrecision(2) : p.toFixed(2)) + '%';
}

/**
 * A p-value as every reporter prints it (terminal, Markdown, HTML, compare reasons): two significant digits,
 * scientific below 1e-4 ("2.6e-41"), and "< 1e-300" at the floor — a p-value that small is at the edge of double
 * range (underflows to 0 past ~5e-324), so "0" would claim more than the arithmetic knows. JSON keeps the number.
 */
export function fmtPValue(p: number | null | undefined): string {
  if (p == null || Number.isNaN(p)) return '—';
  if (p < 1e-300) return '< 1e-300';
  if (p < 1e-4) return p.toExponential(1);
  return Number(p.toPrecision(2)).toString();
}

export const fmtCi = (ci: [number, number] | null | undefined, digits = 4): string =>
  ci ? `[${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : '';

export const fmtSeconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) + ' s' : '—');

/** A threshold's measured value or limit, in the threshold's unit. */
export function fmtThresholdValue(t: ThresholdResult, v: number | null): string {
  if (v == null || !Number.isFinite(v)) return 'not measured';
  switch (t.unit) {
    case 'ms':
      return `${fmtMs(v)} ms`;
    case 'rps':
      return `${fmtRps(v)} rps`;
    case 'fraction':
      return /\.rate$/.test(t.metric) ? fmtPercent(v) : fmtFraction(v);
    default:
      return Number.isInteger(v) ? fmtInt(v) : fmtFraction(v);
  }
}

/**
 * The latency rows a report shows, in order: successful requests always (`latencyMs`, shown as "latency"); failed
 * (`latencyFailedMs`, "failed") and all (`latencyAllMs`, "all") when some request failed — absent in reports before
 * schema 2. `stats` is null for an empty population, so no reporter prints zeros for latencies nobody measured.
 */
export function latencyRows(x: LatencyPopulations): { key: keyof LatencyPopulations; name: 'latency' | 'failed' | 'all'; stats: LatencyStats | null }[] {
  const shown = (l: LatencyStats | undefined) => (l && l.count > 0 ? l : null);
  const rows: ReturnType<typeof latencyRows> = [{ key: 'latencyMs', name: 'latency', stats: shown(x.latencyMs) }];
  if (x.latencyFailedMs && x.latencyFailedMs.count > 0) {
    rows.push({ key: 'latencyFailedMs', name: 'failed', stats: shown(x.latencyFailedMs) });
    if (x.latencyAllMs) rows.push({ key: 'latencyAllMs', name: 'all', stats: shown(x.latencyAllMs) });
  }
  return rows;
}

/** A threshold's measured value, or "not measured: <why>" — an unmeasured threshold fails, and says why. */
export function fmtMeasured(t: ThresholdResult): string {
  if (t.value != null && Number.isFinite(t.value)) return fmtThresholdValue(t, t.value);
  return t.reason ? `not measured: ${t.reason}` : 'not measured';
}

/** The failure kinds of RequestCounts (and of TimelinePoint), in display order, with a human name. */
export const FAILURE_KINDS = [
  ['httpErrors', 'HTTP error'],
  ['timeouts', 'timeout'],
  ['connectionErrors', 'connection error'],
  ['badResponses', 'bad response'],
  ['dropped', 'dropped'],
] as const satisfies ReadonlyArray<readonly [keyof RequestCounts, string]>;

export const failedOf = (r: RequestCounts): number => r.sent - r.ok;

/** "50 HTTP error · 20 timeout" (kinds with a zero count are left out; "none" when all are zero). */
export function fmtFailures(r: RequestCounts): string {
  const parts = FAILURE_KINDS.filter(([k]) => r[k] > 0).map(([k, name]) => `${fmtInt(r[k])} ${name}`);
  return parts.length ? parts.join(' · ') : 'none';
}

/** "target" for a phase: open-loop rate (or ramp) or closed-loop concurrency. */
function fmtPhaseTarget(p: { kind: 'open' | 'closed'; targetRate?: number; targetRampTo?: number; concurrency?: number }): string {
  if (p.kind === 'closed') return p.concurrency != null ? `${fmtInt(p.concurrency)} concurrent` : 'closed loop';
  if (p.targetRate == null) return '—';
  if (p.targetRampTo != null && p.targetRampTo !== p.targetRate) return `${fmtRps(p.targetRate)} → ${fmtRps(p.targetRampTo)} rps`;
  return `${fmtRps(p.targetRate)} rps`;
}

/**
 * Achieved vs planned rate and the goodput, e.g. "1,980 rps of 2,000 planned (99.0%) · goodput 1,900 rps". The planned
 * rate is the load plan's (absent in closed loop); the percentage is achieved ÷ planned.
 */
export function fmtRateVsPlan(t: { rps: number; plannedRps?: number; goodputRps?: number }, phases: readonly PhaseRate[] = []): string {
  const vs = (rps: number, planned: number) => `${fmtRps(rps)} rps of ${fmtRps(planned)} planned (${oneFmt.format((rps / planned) * 100)}%)`;
  const goodput = t.goodputRps == null ? '' : ` · goodput ${fmtRps(t.goodputRps)} rps`;
  if (t.plannedRps != null && t.plannedRps > 0) return `${vs(t.rps, t.plannedRps)}${goodput}`;
  // Open and closed phases mixed: closed loop has no planned rate, so the comparison covers the open phases only.
  const open = phases.filter((p) => !p.warmup && p.plannedRps != null && p.endedAtMs > p.startedAtMs);
  const s = open.reduce((a, p) => a + (p.endedAtMs - p.startedAtMs) / 1000, 0);
  if (open.length === 0 || !(s > 0)) return `${fmtRps(t.rps)} rps (no planned rate)${goodput}`;
  const planned = open.reduce((a, p) => a + p.plannedRps! * ((p.endedAtMs - p.startedAtMs) / 1000), 0) / s;
  const sent = open.reduce((a, p) => a + p.requests.sent, 0) / s;
  return `${fmtRps(t.rps)} rps${goodput}; open-loop phases ${vs(sent, planned)}`;
}

/** What fmtRateVsPlan reads of a phase. */
type PhaseRate = Pick<PhaseSummary, 'warmup' | 'plannedRps' | 'startedAtMs' | 'endedAtMs'> & { requests: Pick<RequestCounts, 'sent'> };

/** A phase's planned rate, or "—" (closed loop). */
const fmtPlannedRps = (p: { plannedRps?: number }): string => (p.plannedRps == null ? '—' : fmtRps(p.plannedRps));

/** Environment as one line. */
export function fmtEnvironment(s: Summary): string {
  const e = s.environment;
  return `modelwave ${e.modelwave} · node ${e.node} · ${e.platform}/${e.arch} · ${e.cpus} × ${e.cpuModel} · ${e.workers} workers · host ${e.hostname}`;
}

/** Store status as one line, or undefined when there is no store section. */
export function fmtStore(s: Summary): string | undefined {
  const st = s.store;
  if (!st) return undefined;
  if (st.kind === 'none') return 'not stored';
  const state = st.error ? `error: ${st.error}` : st.complete ? 'complete' : 'INCOMPLETE';
  const spool = st.spoolPath ? `; spooled to ${st.spoolPath}` : '';
  return `${st.kind} ${st.location}: ${fmtInt(st.storedRequests)} requests stored (${state})${spool}`;
}

export function fmtFeedback(s: Summary): string | undefined {
  const f = s.feedback;
  if (!f) return undefined;
  return (
    `${plural(f.labelsPosted, 'label')} in ${plural(f.posted, 'post')} to ${f.url}` +
    `; ${plural(f.labelsFailed, 'label')} failed (${plural(f.failed, 'post')}), ${plural(f.retried, 'retry', 'retries')}`
  );
}

/** How predictions were read, e.g. "1,200 as class values · 300 as P(positive) · 0 by argmax". */
export function fmtReadAs(q: QualityCounts): string | undefined {
  const r = q.predictionsReadAs;
  if (!r) return undefined;
  return `${fmtInt(r.class)} as class values · ${fmtInt(r.probability)} as P(positive) · ${fmtInt(r.argmax)} by argmax`;
}

/** Scored rows, e.g. "9,960 of 9,970 (200 outside the classes, 10 unparsable, 80 in failed requests)". */
export function fmtScored(q: QualityCounts): string {
  const outside = q.outOfClass !== undefined ? `${fmtInt(q.outOfClass)} outside the classes${q.outOfClassPolicy === 'exclude' ? ' (excluded)' : ''}, ` : '';
  return `${fmtInt(q.scored)} of ${fmtInt(q.rows)} (${outside}${fmtInt(q.unparsable)} unparsable, ${fmtInt(q.failed)} in failed requests)`;
}

/**
 * Answers outside the label's classes and how they were scored, e.g. `200 answers outside the classes, counted wrong
 * (label.outOfClass: wrong); e.g. "abstain", null`; undefined for reports without the count (regression, schema 1).
 */
export function fmtOutOfClass(q: QualityCounts | undefined): string | undefined {
  if (!q || q.outOfClass === undefined) return undefined;
  const how =
    q.outOfClassPolicy === 'exclude'
      ? 'left out of accuracy and the confusion-based figures (label.outOfClass: exclude)'
      : 'counted wrong (label.outOfClass: wrong, the default)';
  const eg = q.outOfClassExamples?.length ? `; e.g. ${q.outOfClassExamples.join(', ')}` : '';
  return `${plural(q.outOfClass, 'answer')} outside the classes, ${how}${eg}`;
}

/** Accuracy with its interval and n, or "— (n = 0: nothing scored)". */
export function fmtAccuracy(c: { accuracy: number | null; accuracyCi: [number, number] | null; n: number }): string {
  if (c.accuracy == null) return `— (not measured: n = ${fmtInt(c.n)})`;
  return `${fmtFraction(c.accuracy)}, 95% CI ${fmtCi(c.accuracyCi)} (n = ${fmtInt(c.n)})`;
}

/** A response sample as one line: what failed, what was tried, the body's start (callers escape it for their medium). */
export function fmtSample(x: ResponseSample): string {
  const what = x.kind === 'httpError' ? `HTTP ${x.status}` : `${x.code}${x.message ? `: ${x.message}` : ''}`;
  return `${what} · body: ${x.bodyHead === '' ? '(empty)' : x.bodyHead}`;
}

/**
 * A phase's figures as the phase tables of report.md and report.html show them, after their # and name columns:
 * kind, target, planned, achieved and goodput rps, sent, ok, failed, dropped, p50, p99, max, lag p99 — and the
 * accuracy when the table has that column (phasesHaveAccuracy).
 */
export function phaseFigures(p: PhaseSummary, withAccuracy: boolean): string[] {
  const row = [
    p.kind,
    fmtPhaseTarget(p),
    fmtPlannedRps(p),
    fmtRps(p.rps),
    p.goodputRps == null ? '—' : fmtRps(p.goodputRps),
    fmtInt(p.requests.sent),
    fmtInt(p.requests.ok),
    fmtInt(failedOf(p.requests)),
    fmtInt(p.requests.dropped),
    fmtMs(p.latencyMs.p50),
    fmtMs(p.latencyMs.p99),
    fmtMs(p.latencyMs.max),
    fmtMs(p.lagMs.p99),
  ];
  return withAccuracy ? [...row, fmtFraction(p.accuracy)] : row;
}

/** The phase tables have an accuracy column only when some phase has one (the engine may not compute it). */
export const phasesHaveAccuracy = (phases: readonly PhaseSummary[]): boolean => phases.some((p) => p.accuracy != null);

/**
 * A window's figures as the window tables of report.md and report.html show them: #, time (s), sent, failed,
 * dropped, rps, p50, p99, accuracy (or RMSE for a regression), 95% CI; each table adds its own drift cell.
 */
export function windowFigures(w: WindowSummary): string[] {
  return [
    String(w.index),
    `${(w.startMs / 1000).toFixed(1)}–${(w.endMs / 1000).toFixed(1)}`,
    fmtInt(w.requests.sent),
    fmtInt(failedOf(w.requests)),
    fmtInt(w.requests.dropped),
    fmtRps(w.rps),
    fmtMs(w.latencyMs.p50),
    fmtMs(w.latencyMs.p99),
    w.accuracy != null ? fmtFraction(w.accuracy) : w.rmse != null ? `RMSE ${fmtFraction(w.rmse)}` : '—',
    fmtCi(w.accuracyCi, 3),
  ];
}
