// The verdict, in one place: a measured Summary (as summarize() built it) and the scenario's thresholds in; the
// threshold results (the default all-failed rule included), the validity, the verdict with its headline, and the
// exit code out. Pure: the same input gives the same judgement, and the input is never written to. Reporters
// (terminal, Markdown, HTML, live) read the headline through verdictOf. A comparison's verdict over its rules, the
// default rule and the wave's fate over that, and its exit code are here too; how one compare rule is decided from
// its interval and p-value stays with the comparison's statistics (compare/verdict.ts evaluateRule).
import { EXIT } from '../errors.js';
import type { ThresholdSpec } from '../spec/types.js';
import type { StoreSummary, Summary, ThresholdResult, Validity } from '../summary/types.js';
import { ALL_FAILED_RULE, allFailedRule, evaluateThresholds } from './thresholds.js';
import { assessValidity, type ValidityOptions } from './validity.js';

export interface JudgeOptions {
  /** Accept a run in which no request succeeded (`--allow-all-failed`): the default rule is then not added. */
  allowAllFailed?: boolean;
  /** Bounds of the validity verdict; `false`: no validity (a comparison's sides are not given one). */
  validity?: ValidityOptions | false;
  /** The run's store section as far as it is known: its completeness is one of the validity rules. */
  store?: StoreSummary;
}

export interface Judgement {
  /** The scenario's thresholds in order, then the default rule when it failed. */
  thresholds: ThresholdResult[];
  validity?: Validity;
  verdict: VerdictInfo;
  /** The Summary's own exit code (exitCodeOf): 0, 1 (a threshold failed, the run failed) or 130 (interrupted). */
  exitCode: number;
}

/** Judge a measured summary. `measured.thresholds` and `measured.store` are not read: the judgement supplies them. */
export function judge(measured: Summary, specs: readonly ThresholdSpec[], o: JudgeOptions = {}): Judgement {
  const own = evaluateThresholds(measured, specs);
  // The default sanity rule: a run in which nothing succeeded fails, thresholds or not (unless allowed).
  const allFailed = o.allowAllFailed ? undefined : allFailedRule(measured);
  const thresholds = allFailed ? [...own, allFailed] : own;
  // The rules read the thresholds (which percentiles are asked) and the store's completeness.
  const view: Summary = { ...measured, thresholds, ...(o.store ? { store: o.store } : {}) };
  const validity = o.validity === false ? undefined : assessValidity(view, o.validity);
  return { thresholds, ...(validity ? { validity } : {}), verdict: verdictOf(view), exitCode: exitCodeOf(view) };
}

/** What judging reads of a summary: its status and its threshold results. */
type Judged = { run: Pick<Summary['run'], 'status'>; thresholds: readonly ThresholdResult[] };

export function exitCodeOf(summary: Judged): number {
  if (summary.run.status === 'interrupted') return EXIT.interrupted;
  if (summary.run.status === 'failed') return EXIT.failed;
  return summary.thresholds.every((t) => t.pass) ? EXIT.ok : EXIT.failed;
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
export function verdictOf(s: Judged): VerdictInfo {
  const total = s.thresholds.length;
  const failed = s.thresholds.filter((t) => !t.pass).length;
  const incomplete = s.run.status !== 'completed';
  const suffix = incomplete ? ` (run ${s.run.status})` : '';
  // Ctrl-C is the headline: the figures below describe only the part of the wave that ran.
  if (s.run.status === 'interrupted') {
    const what = total === 0 ? 'no thresholds' : failed > 0 ? `${failed} of ${total} thresholds failed` : `all ${total} thresholds held`;
    return { verdict: 'fail', failed, total, headline: `INTERRUPTED: ${what} on what was measured before the stop` };
  }
  // The default sanity rule (no request succeeded) speaks for itself; the user's thresholds are counted apart.
  if (s.thresholds.some((t) => t.default && !t.pass)) {
    const own = s.thresholds.filter((t) => !t.default);
    const ownFailed = own.filter((t) => !t.pass).length;
    const rest = own.length ? `; ${ownFailed} of ${own.length} thresholds failed` : '';
    return { verdict: 'fail', failed, total, headline: `FAIL: no request succeeded${rest}${suffix}` };
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

// ---- a comparison ----

/** A compare rule's status (compare/verdict.ts evaluateRule), and a comparison's verdict over its rules. */
export type ComparisonVerdict = 'pass' | 'fail' | 'inconclusive';

/** A comparison's verdict over its rules: fail when one fails, else inconclusive when one cannot tell, else pass. */
export function comparisonVerdictOf(statuses: readonly ComparisonVerdict[]): ComparisonVerdict {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** 1 when the comparison failed (or, with failOnInconclusive, could not decide), else 0. */
export function comparisonExitCode(c: { verdict: ComparisonVerdict }, failOnInconclusive: boolean): number {
  if (c.verdict === 'fail') return EXIT.failed;
  if (c.verdict === 'inconclusive' && failOnInconclusive) return EXIT.failed;
  return EXIT.ok;
}

/**
 * A live comparison's verdict over its rules' verdict: the wave's fate first (interrupted, a worker failed: the
 * comparison covers only what was measured), then a version that answered nothing successfully, which fails the
 * comparison whatever the rules say (the default rule). Returns the new verdict and warnings; `c` is not written to.
 */
export function judgeComparison(
  c: { verdict: ComparisonVerdict; warnings: readonly string[] },
  sides: readonly { thresholds: readonly ThresholdResult[] }[],
  wave: { status: Summary['run']['status']; failure?: { message: string } },
): { verdict: ComparisonVerdict; warnings: string[] } {
  let verdict = c.verdict;
  const warnings = [...c.warnings];
  if (wave.status === 'interrupted') warnings.push('the run was interrupted: the comparison covers only what was measured');
  if (wave.failure) warnings.push(`a load worker failed mid-run (${wave.failure.message}): the comparison covers only what was measured`);
  sides.forEach((side, i) => {
    const rule = side.thresholds.find((t) => t.default && !t.pass);
    if (!rule) return;
    verdict = 'fail';
    warnings.push(`the ${i === 0 ? 'baseline' : 'candidate'} answered no request successfully (${rule.reason}): the default rule ${ALL_FAILED_RULE} fails the comparison (--allow-all-failed accepts it)`);
  });
  return { verdict, warnings };
}

/**
 * The exit code of a session (a run or a comparison) from its verdict's: a worker that failed mid-wave decides it
 * (a failed wave never passes), then a Ctrl-C (even one after the wave: the report says `completed`, the process
 * ends as interrupted); a verdict whose reports could not be written anywhere becomes EXIT.reportNotWritten.
 */
export function sessionExitCode(o: { verdict: number; failure?: { exitCode: number }; interrupted: boolean; delivered: boolean }): number {
  const code = o.failure ? o.failure.exitCode : o.interrupted ? EXIT.interrupted : o.verdict;
  return o.delivered || o.failure || code === EXIT.interrupted ? code : EXIT.reportNotWritten;
}
