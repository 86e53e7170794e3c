// The lifecycle of a session around one wave, once for `run` and `compare` alike: live outputs opened, the store
// session opened (its `running` rows), a distributed shard's group joined, live progress, the wave (executeRun) with
// its failure cleanup, then the Summary in pure stages — measured (summarize) → judged (verdict/judge.ts) → attached
// (summary/attach.ts: capacity tag, feedback posts, store outcome) — saved in the store, delivered by the caller
// (reports, terminal), and the exit code (verdict/judge.ts sessionExitCode) handed to the live outputs' final event.
import type { ModelwaveError } from '../errors.js';
import type { Scenario } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import { attach } from '../summary/attach.js';
import { executeRun, type RunResult, type RunSink } from '../engine/main/run.js';
import { insecureTlsWarnings } from '../engine/net/tls.js';
import { judge, sessionExitCode, type Judgement } from '../verdict/judge.js';
import type { ValidityOptions } from '../verdict/validity.js';
import type { SaveResult, StoreOptions } from '../store/types.js';
import { StoreSession } from '../store/session.js';
import type { LiveOptions } from '../live/index.js';
import type { LiveVerdict } from '../live/event.js';
import type { GroupSpec } from '../distributed/shard.js';
import type { GroupParticipation } from '../distributed/participate.js';

/** What every session takes from its caller (the CLI's flags, a capacity search's probe). */
export interface SessionOptions {
  workers?: number;
  signal?: AbortSignal;
  /**
   * Stop waiting for the store after the wave (the CLI's second Ctrl-C). `signal` does the same when it fires after
   * the wave; fired during the wave it leaves the store its bounded drain (STORE_IDLE_MS without progress).
   */
  hurry?: AbortSignal;
  /** No live progress (and, for a run, no terminal summary). */
  quiet?: boolean;
  /** Warnings (reports written elsewhere, the store, live outputs) go here, quiet or not (default stderr). */
  errOut?: NodeJS.WritableStream;
  /** Live progress and the TLS warnings (default stderr). */
  progressOut?: NodeJS.WriteStream;
  sinks?: RunSink[];
  maxLagP99Ms?: number;
  /** Metrics store (null: none). Opened before the wave: unreachable → exit 3 unless `optional`. */
  store?: StoreOptions | null;
  /** Accept a run in which no request succeeded (`--allow-all-failed`); by default it fails (exit 1). */
  allowAllFailed?: boolean;
  /** Live outputs: `--live-json`, `--prometheus`, `--dashboard` (src/live); they follow run 0. */
  live?: LiveOptions;
}

/** The wave of a session: its run ids (one per target) and what differs between a run and a comparison. */
export interface WaveSpec {
  runIds: string[];
  /** Target URLs, one per run id (default: the scenario's target). */
  targets?: string[];
  comparisonId?: string;
  /** Keep per-row samples (a comparison's paired statistics). */
  keepSamples?: boolean;
  /** Bounds of the validity verdict; `false`: none (a comparison's sides). */
  validity?: ValidityOptions | false;
  /** Tag run 0 as a probe of a capacity search. */
  capacity?: Summary['run']['capacity'];
  /** Run as one shard of a distributed run group: needs a Postgres store. */
  group?: GroupSpec;
}

/** A wave that ended with summaries, judged, attached and saved: what the caller delivers. */
export interface Wave {
  result: RunResult;
  /** Per run: the Summary as reported (judged, with its store outcome and validity). */
  summaries: Summary[];
  judgements: Judgement[];
  /** Per run: where the store saved its summary (absent without a store). */
  saved: (SaveResult | undefined)[];
  /** A shard of a group: its participation, and whether this shard is the last one to finish (it merges). */
  group?: { participation: GroupParticipation; merges: boolean };
}

/** What the caller's delivery decided. */
export interface Delivered {
  /** The verdict's exit code (before a failure, a Ctrl-C or lost reports override it). */
  verdict: number;
  /** The reports were written somewhere (the asked folder or the fallback one). */
  delivered: boolean;
  /** The live outputs' final verdict, when it is not the Summary's own (a comparison's). */
  liveVerdict?: Pick<LiveVerdict, 'verdict' | 'headline'>;
}

export interface SessionEnd<T> {
  wave: Wave;
  delivered: T;
  exitCode: number;
  /** A worker failed mid-wave: the reports hold what was measured; the exit code is this error's (print it). */
  failure?: ModelwaveError;
}

export async function runSession<T extends Delivered>(s: Scenario, o: SessionOptions, spec: WaveSpec, deliver: (w: Wave) => Promise<T>): Promise<SessionEnd<T>> {
  const errOut = o.errOut ?? process.stderr;
  const progressOut = o.progressOut ?? process.stderr;
  const { runIds } = spec;
  const sinks: RunSink[] = [...(o.sinks ?? [])];
  // Before the store rows: a dashboard port in use is an exit 2 that leaves nothing behind.
  const live = o.live ? await (await import('../live/index.js')).startLive(s, runIds[0], o.live, errOut) : undefined;
  if (live) sinks.push(live.sink);
  const store = await StoreSession.open(o.store, s, runIds, o.workers, errOut).catch(async (err: unknown) => {
    await live?.close();
    throw err;
  });
  sinks.push(...store.sinks());
  const participation = spec.group
    ? await (await import('../distributed/participate.js')).GroupParticipation.join(spec.group, runIds[0], s, errOut).catch(async (err: unknown) => {
        await store.fail(err);
        throw err;
      })
    : undefined;
  // Printed before the wave (and kept in the report): a run that does not verify its target must not look like one that does.
  for (const w of new Set((spec.targets ?? [s.target.url]).flatMap((url) => insecureTlsWarnings(s, url)))) progressOut.write(`warning: ${w}\n`);
  // Loaded only when shown: a quiet run (CI, the bench) does not pay for the progress bar's modules at start-up.
  const progress = o.quiet ? undefined : (await import('../engine/main/progress.js')).progressSink(progressOut, undefined, s.load.phases, wantColor(progressOut));
  if (progress) sinks.push(progress);
  let result: RunResult;
  try {
    result = await executeRun(s, {
      runIds,
      sinks,
      onFeedback: store.onFeedback,
      ...(spec.targets ? { targets: spec.targets } : {}),
      ...(spec.comparisonId ? { comparisonId: spec.comparisonId } : {}),
      ...(spec.keepSamples ? { keepSamples: true } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.maxLagP99Ms !== undefined ? { maxLagP99Ms: o.maxLagP99Ms } : {}),
      ...participation?.runOptions(),
    });
  } catch (err) {
    progress?.end();
    await live?.close();
    await participation?.failed(err);
    await store.fail(err); // never a row left `running` by a run that did not start or could not finish
    throw err;
  }
  progress?.end();

  const measured = result.summaries;
  const judgeOpts = { allowAllFailed: Boolean(o.allowAllFailed), validity: spec.validity ?? {} };
  // Run 0 carries the feedback posts and the capacity tag; the store section comes with the store's outcome.
  const staged = (i: number, store: Summary['store']): { summary: Summary; judgement: Judgement } => {
    const judgement = judge(measured[i], s.thresholds, { ...judgeOpts, ...(store ? { store } : {}) });
    const summary = attach(measured[i], {
      thresholds: judgement.thresholds,
      ...(judgement.validity ? { validity: judgement.validity } : {}),
      ...(i === 0 && spec.capacity ? { capacity: spec.capacity } : {}),
      ...(i === 0 && result.feedback ? { feedback: result.feedback } : {}),
      ...(store ? { store } : {}),
    });
    return { summary, judgement };
  };
  // A first Ctrl-C during the wave leaves the drain its bound; one during the drain (or a second) cuts it short.
  const outcomes = await store.finish(measured, (i, section) => staged(i, section).summary, drainCutoff(o));
  const merges = participation ? await participation.ended(measured[0].run.status, measured[0].run.error) : undefined;
  const final = outcomes.map((x, i) => staged(i, x.store));
  const wave: Wave = {
    result,
    summaries: final.map((f) => f.summary),
    judgements: final.map((f) => f.judgement),
    saved: outcomes.map((x) => x.saved),
    ...(participation ? { group: { participation, merges: merges! } } : {}),
  };
  const delivered = await deliver(wave);
  const failure = result.failure;
  const exitCode = sessionExitCode({
    verdict: delivered.verdict,
    ...(failure ? { failure } : {}),
    interrupted: Boolean(o.signal?.aborted) || measured[0].run.status === 'interrupted',
    delivered: delivered.delivered,
  });
  await live?.finish(wave.summaries[0], exitCode, result.accumulators, [o.signal, o.hurry], delivered.liveVerdict);
  return { wave, delivered, exitCode, ...(failure ? { failure } : {}) };
}

/**
 * Colour on a terminal, unless NO_COLOR is set (https://no-color.org: any non-empty value); FORCE_COLOR (non-empty,
 * not 0/false) colours even a pipe.
 */
export function wantColor(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(out.isTTY);
}

/** What ends the store drain early: `hurry`, and `signal` unless it already fired (during the wave). */
export function drainCutoff(o: { signal?: AbortSignal; hurry?: AbortSignal }): AbortSignal | undefined {
  const live = [o.signal?.aborted ? undefined : o.signal, o.hurry].filter((x): x is AbortSignal => x !== undefined);
  return live.length > 1 ? AbortSignal.any(live) : live[0];
}
