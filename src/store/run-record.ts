// A run's record in the metrics store, around the wave: the row written before it (begin), request batches and
// feedback labels during it, and after it either the Summary (finish) or the reason it ended without one (fail) — so
// no row is left `running` by a run that ended. The end is bounded: a store that fails and has taken no record for
// STORE_IDLE_MS, one that has not answered for STORE_SILENT_MS, or a Ctrl-C, leaves the rest in the spool, and the
// run goes on to its report; meanwhile the user is told what it is waiting for.
import type { Scenario } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import type { FeedbackRecord } from '../engine/main/feedback.js';
import type { RunSink } from '../engine/main/sink.js';
import { workerCount } from '../engine/main/run.js';
import { environment } from '../engine/main/summarize.js';
import { expectedRecords } from './sql.js';
import type { MetricsStore, RequestWriter, SaveResult, StoreOptions, WriterResult } from './types.js';

/** The store drain after the wave ends when a failing store (errors) has taken no record for this long… */
const STORE_IDLE_MS = 10_000;
/** …or a silent one (a statement that neither ends nor fails) for this long. */
const STORE_SILENT_MS = 60_000;
const BOUNDS = { idleMs: STORE_IDLE_MS, silentMs: STORE_SILENT_MS };
const NOTICE_AFTER_MS = 1_000;
const NOTICE_EVERY_MS = 5_000;

const toFeedbackRow = (f: FeedbackRecord) => ({ uuid: f.uuid, seq: f.seq, label: f.label, postedAt: f.postedAtMs, outcome: f.outcome });

export class RunRecord {
  private feedbackSaves: Promise<unknown>[] = [];

  private constructor(
    private readonly store: MetricsStore,
    readonly runIds: string[],
    private readonly writers: RequestWriter[],
    private readonly notices: NodeJS.WritableStream,
  ) {}

  /**
   * Open the store and write a `running` row per run id (target i of the wave is run i). Unreachable store → throws
   * MW_STORE_UNREACHABLE, unless optional; an optional store with nowhere to keep records (no writable spool) → a
   * warning, no record and `unavailable` saying why: the run goes on without a store.
   */
  static async begin(
    o: StoreOptions,
    s: Scenario,
    runIds: string[],
    workers: number | undefined,
    notices: NodeJS.WritableStream,
  ): Promise<{ record?: RunRecord; unavailable?: string }> {
    const { openStore } = await import('./store.js');
    const store = await openStore(o);
    const startedAt = new Date().toISOString();
    const env = environment(workerCount(s, workers));
    for (const id of runIds) {
      const r = await store.beginRun({ id, name: s.name, scenario: s.redacted, environment: env, startedAt });
      if (!r.stored && !r.spoolPath && !store.info().connected) {
        notices.write(`modelwave: warning: running without a metrics store — ${r.error}\n  The reports still hold every figure; per-request records are not kept.\n`);
        await store.close().catch(() => undefined);
        return { unavailable: r.error ?? 'the store is unreachable and no spool can be written' };
      }
    }
    return { record: new RunRecord(store, runIds, runIds.map((id) => store.requestWriter(id)), notices) };
  }

  /** Streams target i's record batches to run i's writer. */
  sink(): RunSink {
    return { onBatch: (t, b, w) => this.writers[t]?.write(b, w) };
  }

  /** Saves run 0's feedback labels as they are posted. */
  readonly onFeedback = (rows: FeedbackRecord[]): void => {
    this.feedbackSaves.push(this.store.saveFeedback(this.runIds[0], rows.map(toFeedbackRow)).catch(() => undefined));
  };

  /** The run ended without a summary (failed start, error mid-run): every row `failed` with the reason; bounded. */
  async fail(err: unknown): Promise<void> {
    const reason = (err as Error)?.message || String(err);
    const timer = setTimeout(() => this.store.cutOff(`the store did not answer within ${STORE_SILENT_MS / 1000} s`), STORE_SILENT_MS);
    try {
      // Records measured before the failure are kept like any others.
      await Promise.all(this.writers.map((w) => w.finish(STORE_SILENT_MS, BOUNDS)));
      await Promise.all(this.feedbackSaves);
      for (const id of this.runIds) await this.store.failRun(id, reason);
    } finally {
      clearTimeout(timer);
      await this.store.close().catch(() => undefined);
    }
  }

  /**
   * After the wave: drain the writers (until the store has everything, or the bounds above, or `cutoff` — the rest goes
   * to the spool), set each summary's `store` figures, save feedback and the summaries (bounded the
   * same way), close. Returns where each summary went, in run order.
   */
  async finish(summaries: Summary[], feedback: FeedbackRecord[], cutoff?: AbortSignal): Promise<SaveResult[]> {
    try {
      return await this.save(summaries, feedback, cutoff);
    } catch (err) {
      // A bug here must not cost the measurement: the reports are still written, and say the store is incomplete.
      const info = this.store.info();
      const error = `storing the run failed: ${(err as Error)?.message ?? String(err)}`;
      for (const s of summaries) s.store = { ...(s.store ?? { kind: info.kind, location: info.location, storedRequests: 0 }), complete: false, error };
      await this.store.close().catch(() => undefined);
      return summaries.map(() => ({ stored: false, error }));
    }
  }

  private async save(summaries: Summary[], feedback: FeedbackRecord[], cutoff?: AbortSignal): Promise<SaveResult[]> {
    const stopNotices = this.waitNotices();
    let drained: WriterResult[];
    try {
      drained = await Promise.all(this.writers.map((w) => w.finish(Infinity, { ...BOUNDS, ...(cutoff ? { signal: cutoff } : {}) })));
    } finally {
      stopNotices();
    }
    const cutShort = drained.find((r) => r.endedBy);
    if (cutShort) this.store.cutOff(cutShort.error ?? 'the store stopped taking records');
    const onAbort = () => this.store.cutOff('interrupted while waiting for the store');
    cutoff?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => this.store.cutOff(`the store did not answer within ${STORE_SILENT_MS / 1000} s`), STORE_SILENT_MS);
    try {
      await Promise.all(this.feedbackSaves);
      const info = this.store.info();
      const saved: SaveResult[] = [];
      for (const [i, summary] of summaries.entries()) {
        const w = drained[i];
        summary.store = {
          kind: info.kind,
          location: info.location,
          storedRequests: w.stored,
          complete: w.stored === expectedRecords(summary) && !w.spoolPath,
          ...(w.spoolPath ? { spoolPath: w.spoolPath } : {}),
          ...(w.error ? { error: w.error } : {}),
        };
        if (i === 0 && feedback.length) await this.store.saveFeedback(summary.run.id, feedback.map(toFeedbackRow));
        const r = await this.store.finishRun(summary);
        if (!r.stored) {
          // The summary itself is only in the spool (or nowhere): the store does not have the whole run yet.
          summary.store = { ...summary.store, complete: false, ...(r.spoolPath ? { spoolPath: r.spoolPath } : {}), error: summary.store.error ?? `the summary was not stored: ${r.error}` };
        }
        saved.push(r);
      }
      return saved;
    } finally {
      clearTimeout(timer);
      cutoff?.removeEventListener('abort', onAbort);
      await this.store.close().catch(() => undefined);
    }
  }

  /** While the drain takes longer than a second, say what it waits for and how to stop waiting. */
  private waitNotices(): () => void {
    let timer: NodeJS.Timeout;
    const tick = () => {
      const stats = this.writers.map((w) => w.stats());
      const left = stats.reduce((n, st) => n + st.accepted - st.stored, 0);
      const failing = stats.find((st) => st.state !== 'ok');
      if (left > 0) {
        const bound = failing
          ? `it fails (${failing.lastError ?? 'no answer'}): giving up ${STORE_IDLE_MS / 1000} s after its last progress`
          : `giving up if it takes nothing for ${STORE_SILENT_MS / 1000} s`;
        this.notices.write(`modelwave: waiting for the metrics store (${left} records left; ${bound}) — Ctrl-C to spool them and stop\n`);
      }
      timer = setTimeout(tick, NOTICE_EVERY_MS);
    };
    timer = setTimeout(tick, NOTICE_AFTER_MS);
    return () => clearTimeout(timer);
  }
}

/** The `store` section of a run that asked for a store and could not have one. */
export const noStore = (why: string): Summary['store'] => ({ kind: 'none', location: '', storedRequests: 0, complete: false, error: why });
