// The capacity search loop: each probe is a full `runScenario` (own report folder, stored under one capacity id),
// the next level comes from search.ts, the answer from answer.ts. The CLI (src/cli/capacity.ts) only parses
// flags, calls searchCapacity and maps the outcome to an exit code.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ModelwaveError } from '../errors.js';
import type { Phase, Scenario } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import type { StoreOptions } from '../store/types.js';
import { runScenario } from '../run.js';
import { minSamplesForQuantile } from '../stats/quantile-bound.js';
import { quantileOfMetric, type ValidityOptions } from '../verdict/validity.js';
import { classifyProbe, boundsOf, nextStep, fmtLevel, isFound } from './search.js';
import { bindingSlo, curveMetric, kneeOf, probeRecord, sloBounds } from './answer.js';
import type { CapacityAnswer, CapacityRunOptions, ProbeRecord, SearchEnd } from './types.js';
import { idStamp } from '../util/ids.js';

export interface CapacityIo {
  /** Root report folder: capacity reports here, each probe in probe-NN-LEVEL/. */
  outDir: string;
  store?: StoreOptions | null;
  workers?: number;
  /** Ctrl-C: ends the probe in flight (it is then not a bound) and the search, with a report of the probes so far. */
  signal?: AbortSignal;
  hurry?: AbortSignal;
  /** One line per finished probe (default: none). */
  onProbe?: (p: ProbeRecord) => void;
  /** Before each probe: its number, level and measured duration (ms). */
  onStart?: (index: number, level: number, durationMs: number) => void;
  errOut?: NodeJS.WritableStream;
  /** Clock for --max-time (tests). */
  now?: () => number;
}

export interface CapacityOutcome {
  answer: CapacityAnswer;
  /** An error that ended the search after some probes (e.g. the target went away); the answer holds what was measured. */
  error?: ModelwaveError;
}

/** Fixed cost of a probe beyond its planned phases (worker start, drain, reports), for the --max-time check. */
const PROBE_OVERHEAD_MS = 2_000;
/** Probe length headroom over the bare sample count the SLO percentile needs (Poisson arrivals vary). */
const SAMPLE_HEADROOM = 1.25;

/** The scenario of one probe: the same traffic, the load replaced by a warm-up and a measured phase at `level`. */
function probeScenario(s: Scenario, o: Pick<CapacityRunOptions, 'mode' | 'warmupMs' | 'slos'>, level: number, measuredMs: number): Scenario {
  const open = s.load.phases.find((p) => p.kind === 'open');
  const arrivals = open?.kind === 'open' ? open.arrivals : 'poisson';
  const phase = (warmup: boolean, durationMs: number): Phase =>
    o.mode === 'concurrency'
      ? { kind: 'closed', name: warmup ? 'warm-up' : 'probe', durationMs, concurrency: level, thinkMs: 0, warmup }
      : { kind: 'open', name: warmup ? 'warm-up' : 'probe', durationMs, rate: level, arrivals, warmup };
  const phases = [...(o.warmupMs > 0 ? [phase(true, o.warmupMs)] : []), phase(false, measuredMs)];
  // Feedback posting is the scenario's monitoring path, not the endpoint under test: left out of probes.
  const { feedback: _feedback, ...rest } = s;
  return {
    ...rest,
    load: { ...s.load, phases },
    thresholds: [...o.slos],
    // Six windows over the measured part: the stability rule compares its thirds.
    windows: { kind: 'span', spanMs: Math.max(100, Math.floor(measuredMs / 6)) },
    ...(o.mode === 'rate' ? { plannedRequests: Math.ceil((level * (o.warmupMs + measuredMs)) / 1000) } : {}),
  };
}

/** The tightest upper limit among the latency SLOs, ms (undefined without one). */
function tightestLatencyLimitMs(slos: CapacityRunOptions['slos']): number | undefined {
  const limits = slos.filter((x) => /^(latency|service)\./.test(x.metric) && (x.op === '<' || x.op === '<=')).map((x) => x.value);
  return limits.length ? Math.min(...limits) : undefined;
}

/**
 * The generator-lag bound of a probe: 10 ms (the run default) or a tenth of the tightest latency SLO, whichever is
 * larger. Latency is measured from the intended send time, so lag is inside it (a pass stays conservative); what the
 * bound guards is a failure or a shortfall that the generator, not the target, caused.
 */
function defaultMaxLagMs(slos: CapacityRunOptions['slos']): number {
  return Math.max(10, (tightestLatencyLimitMs(slos) ?? 0) / 10);
}

/**
 * Validity bounds of a probe: its length is the user's choice (--probe-duration; the other rules guard its
 * statistics), and drift smaller than a tenth of the tightest latency SLO cannot move a verdict, so it is not drift.
 */
function probeValidity(o: CapacityRunOptions, measuredMs: number): ValidityOptions {
  return { minDurationMs: Math.min(measuredMs, o.probeMs), stabilityFloorMs: Math.max(1, (tightestLatencyLimitMs(o.slos) ?? 0) / 10) };
}

/** Samples the strictest SLO percentile needs (MLPerf early-stopping rule); 0 without percentile SLOs. */
function samplesNeeded(o: Pick<CapacityRunOptions, 'slos'>): number {
  const qs = o.slos.map((x) => quantileOfMetric(x.metric)).filter((q): q is number => q !== undefined);
  return qs.length ? Math.max(...qs.map((q) => minSamplesForQuantile(q))) : 0;
}

/** Measured length of a probe at `level`: --probe-duration, longer when the SLO percentile needs more samples. */
function probeMeasuredMs(o: CapacityRunOptions, level: number, probes: readonly ProbeRecord[]): number {
  const need = samplesNeeded(o) * SAMPLE_HEADROOM;
  let rps = o.mode === 'rate' ? level : undefined;
  if (rps === undefined) {
    // Closed loop: throughput per request in flight, from the nearest probe so far.
    const near = [...probes].filter((p) => p.achievedRps > 0).sort((a, b) => Math.abs(a.level - level) - Math.abs(b.level - level))[0];
    if (near) rps = (near.achievedRps / near.level) * level;
  }
  const forSamples = rps && rps > 0 ? Math.ceil((need / rps) * 1000) : 0;
  return Math.max(o.probeMs, forSamples);
}

export async function searchCapacity(s: Scenario, o: CapacityRunOptions, io: CapacityIo): Promise<CapacityOutcome> {
  const now = io.now ?? Date.now;
  const t0 = now();
  const id = `cap-${idStamp(new Date(t0))}-${randomUUID().slice(0, 6)}`;
  const probes: ProbeRecord[] = [];
  const summaries = new Map<number, Summary>();
  let end: SearchEnd = 'converged';
  let endReason = '';
  let error: ModelwaveError | undefined;
  let target = s.target.url;
  for (;;) {
    if (io.signal?.aborted) {
      [end, endReason] = ['interrupted', 'interrupted (Ctrl-C); the answer is from the probes so far'];
      break;
    }
    const step = nextStep(probes, o);
    if ('end' in step) {
      [end, endReason] = [step.end, step.reason];
      break;
    }
    const level = step.probe;
    const measured = probeMeasuredMs(o, level, probes);
    if (now() - t0 + o.warmupMs + measured + PROBE_OVERHEAD_MS > o.maxTimeMs) {
      [end, endReason] = ['max-time', `the next probe (${fmtLevel(level, o)}, ${Math.round((o.warmupMs + measured) / 1000)} s) would end after --max-time`];
      break;
    }
    const index = probes.length + 1;
    io.onStart?.(index, level, measured);
    const dir = path.join(io.outDir, `probe-${String(index).padStart(2, '0')}-${o.mode === 'concurrency' ? 'c' : 'r'}${level}`);
    // Each probe gets its own signals, tied to the search's: the engine leaves a listener on the signal it is given.
    const stopProbe = linked(io.signal);
    const hurryProbe = linked(io.hurry);
    let res;
    try {
      res = await runScenario(probeScenario(s, o, level, measured), {
        outDir: dir,
        quiet: true,
        ...(io.workers !== undefined ? { workers: io.workers } : {}),
        ...(stopProbe ? { signal: stopProbe.signal } : {}),
        ...(hurryProbe ? { hurry: hurryProbe.signal } : {}),
        store: io.store ?? null,
        ...(io.errOut ? { errOut: io.errOut } : {}),
        validity: probeValidity(o, measured),
        capacity: { id, probe: index },
        maxLagP99Ms: o.maxLagP99Ms ?? defaultMaxLagMs(o.slos),
      });
    } catch (err) {
      // Unreachable at the first probe is the whole command's outcome (exit 3); later, report what was measured.
      if (probes.length === 0 || !(err instanceof ModelwaveError)) throw err;
      error = err;
      [end, endReason] = ['error', `probe ${index} could not run: ${err.message}`];
      break;
    } finally {
      stopProbe?.unlink();
      hurryProbe?.unlink();
    }
    const summary = res.summary;
    target = summary.run.target;
    const { verdict, why } = res.failure ? { verdict: 'invalid' as const, why: `the run failed: ${res.failure.message}` } : classifyProbe(summary);
    const rec = probeRecord(index, level, summary, verdict, why, res.reportDir);
    probes.push(rec);
    summaries.set(index, summary);
    io.onProbe?.(rec);
  }
  const { passing, failing } = boundsOf(probes);
  const best = passing !== undefined ? probes.find((p) => p.verdict === 'pass' && p.level === passing) : undefined;
  const found = best !== undefined && isFound(end, passing, o.require);
  const slos = o.slos.map((x) => x.expr);
  const binding = bindingSlo(probes);
  const knee = kneeOf(probes, curveMetric(slos));
  const answer: CapacityAnswer = {
    id,
    scenario: s.name,
    target,
    mode: o.mode,
    slos,
    ...(best ? { [o.mode === 'concurrency' ? 'maxConcurrency' : 'maxRate']: best.level, maxRateAchieved: best.achievedRps } : {}),
    interval: { ...(passing !== undefined ? { passing } : {}), ...(failing !== undefined ? { failing } : {}) },
    ...(binding ? { bindingSlo: binding } : {}),
    ...(knee ? { knee } : {}),
    ...(best ? { sloAtMax: sloBounds(summaries.get(best.index)!) } : {}),
    end,
    endReason,
    found,
    ...(o.require !== undefined ? { require: o.require } : {}),
    startedAt: new Date(t0).toISOString(),
    elapsedMs: Math.round(now() - t0),
    probes,
  };
  return { answer, ...(error ? { error } : {}) };
}

/** A controller that aborts when `parent` does, until unlinked; undefined without a parent. */
function linked(parent: AbortSignal | undefined): { signal: AbortSignal; unlink(): void } | undefined {
  if (!parent) return undefined;
  const c = new AbortController();
  if (parent.aborted) c.abort();
  const onAbort = () => c.abort();
  parent.addEventListener('abort', onAbort, { once: true });
  return { signal: c.signal, unlink: () => parent.removeEventListener('abort', onAbort) };
}
