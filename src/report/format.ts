// Number formatting and small derived facts shared by every reporter, so the terminal, Markdown, HTML and JUnit
// outputs of one Summary always agree on how a value reads. Returns plain (unescaped) strings.
import type { RequestCounts, Summary, ThresholdResult, QualityCounts, ResponseSample } from '../summary/types.js';

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const fmtInt = (n: number): string => (Number.isFinite(n) ? intFmt.format(n) : '—');

export const plural = (n: number, one: string, many = `${one}s`): string => `${fmtInt(n)} ${n === 1 ? one : many}`;

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

export const fmtCi = (ci: [number, number] | undefined, digits = 4): string =>
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

export type Verdict = 'pass' | 'fail' | 'none';

export interface VerdictInfo {
  verdict: Verdict;
  failed: number;
  total: number;
  /** One plain sentence, e.g. "FAIL: 1 of 3 thresholds failed". */
  headline: string;
}

/** A run that did not complete fails its verdict even when every threshold held (as the exit code does). */
export function verdictOf(s: Summary): VerdictInfo {
  const total = s.thresholds.length;
  const failed = s.thresholds.filter((t) => !t.pass).length;
  const incomplete = s.run.status !== 'completed';
  const suffix = incomplete ? ` (run ${s.run.status})` : '';
  // Ctrl-C is the headline: the figures below describe only the part of the wave that ran.
  if (s.run.status === 'interrupted') {
    const what = total === 0 ? 'no thresholds' : failed > 0 ? `${failed} of ${total} thresholds failed` : `all ${total} thresholds held`;
    return { verdict: 'fail', failed, total, headline: `INTERRUPTED: ${what} on what was measured before the stop` };
  }
  if (total === 0) {
    return { verdict: incomplete ? 'fail' : 'none', failed, total, headline: `No thresholds${suffix}` };
  }
  if (failed > 0 || incomplete) {
    const what = failed > 0 ? `${failed} of ${total} thresholds failed` : `all ${total} thresholds held`;
    return { verdict: 'fail', failed, total, headline: `FAIL: ${what}${suffix}` };
  }
  return { verdict: 'pass', failed, total, headline: `PASS: all ${total} thresholds held` };
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
export function fmtPhaseTarget(p: { kind: 'open' | 'closed'; targetRate?: number; targetRampTo?: number; concurrency?: number }): string {
  if (p.kind === 'closed') return p.concurrency != null ? `${fmtInt(p.concurrency)} concurrent` : 'closed loop';
  if (p.targetRate == null) return '—';
  if (p.targetRampTo != null && p.targetRampTo !== p.targetRate) return `${fmtRps(p.targetRate)} → ${fmtRps(p.targetRampTo)} rps`;
  return `${fmtRps(p.targetRate)} rps`;
}

/** Achieved vs target rate, e.g. "1,980 rps of 2,000 target (99.0%)". */
export function fmtRateVsTarget(achieved: number, target: number | undefined): string {
  if (target == null || !(target > 0)) return `${fmtRps(achieved)} rps (no rate target)`;
  return `${fmtRps(achieved)} rps of ${fmtRps(target)} target (${oneFmt.format((achieved / target) * 100)}%)`;
}

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

/** A response sample as one line: what failed, what was tried, the body's start (callers escape it for their medium). */
export function fmtSample(x: ResponseSample): string {
  const what = x.kind === 'httpError' ? `HTTP ${x.status}` : `${x.code}${x.message ? `: ${x.message}` : ''}`;
  return `${what} · body: ${x.bodyHead === '' ? '(empty)' : x.bodyHead}`;
}
