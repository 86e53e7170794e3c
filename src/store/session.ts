// A session's record in the metrics store, around the wave, the same for `run` and `compare`: the rows written
// before it (open), request batches and target 0's feedback labels streamed during it, and after it either the
// summaries (finish) or the reason it ended without one (fail) — so no row is left `running` by a run that ended.
// The end is bounded: a store that fails and has taken no record for STORE_IDLE_MS, one that has not answered for
// STORE_SILENT_MS, or a Ctrl-C, leaves the rest in the spool, and the run goes on to its report; meanwhile the user
// is told what it is waiting for. A session without a store (none asked, or an optional one with nowhere to keep
// records) takes the same calls and does nothing; its outcome says why there is no store.
import type { Scenario } from '../spec/types.js';
import type { StoreSummary, Summary } from '../summary/types.js';
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

/** Where one run of the session went: its store section (absent without a store) and where its summary was saved. */
export interface StoreOutcome {
  store?: StoreSummary;
  saved?: SaveResult;
}

/**
 * The summary to save for run `i`, given its store section as the drain left it (the saved copy carries the section
 * and everything judged with it).
 */
export type SummaryToSave = (i: number, store: StoreSummary) => Summary;

export class StoreSession {
  private feedbackSaves: Promise<unknown>[] = [];

  private constructor(
    readonly runIds: string[],
    private readonly recording?: { store: MetricsStore; writers: RequestWriter[]; notices: NodeJS.WritableStream },
    /** Why an optional store could not be had (the run goes on without one). */
    readonly unavailable?: string,
  ) {}

  /**
   * Open the store and write a `running` row per run id (target i of the wave is run i). No options: a session
   * without a store. Unreachable store → throws MW_STORE_UNREACHABLE, unless optional; an optional store with
   * nowhere to keep records (no writable spool) → a warning and a session without a store that says why.
   */
  static async open(
    o: StoreOptions | null | undefined,
    s: Scenario,
    runIds: string[],
    workers: number | undefined,
    notices: NodeJS.WritableStream,
  ): Promise<StoreSession> {
    if (!o) return new StoreSession(runIds);
    const { openStore } = await import('./store.js');
    const store = await openStore(o);
    const startedAt = new Date().toISOString();
    const env = environment(workerCount(s, workers));
    for (const id of runIds) {
      const r = await store.beginRun({ id, name: s.name, scenario: s.redacted, environment: env, startedAt });
      if (!r.stored && !r.spoolPath && !store.info().connected) {
        notices.write(`modelwave: warning: running without a metrics store — ${r.error}\n  The reports still hold every figure; per-request records are not kept.\n`);
        await store.close().catch(() => undefined);
        return new StoreSession(runIds, undefined, r.error ?? 'the store is unreachable and no spool can be written');
      }
    }
    return new StoreSession(runIds, { store, writers: runIds.map((id) => store.requestWriter(id)), notices });
  }

  /** True when the session keeps the run in a store (or its spool). */
  get recorded(): boolean {
    return this.recording !== undefined;
  }

  /** Streams target i's record batches to run i's writer (none without a store). */
  sinks(): RunSink[] {
    const w = this.recording?.writers;
    return w ? [{ onBatch: (t, b) => w[t]?.write(b, b.window) }] : [];
  }

  /**
   * Saves run 0's feedback labels as they are posted. Given to the engine in every session, so posted labels are never
   * kept in memory (without a store they are counted in the summary's feedback section and not kept).
   */
  readonly onFeedback = (rows: FeedbackRecord[]): void => {
    const r = this.recording;
    if (r) this.feedbackSaves.push(r.store.saveFeedback(this.runIds[0], rows.map(toFeedbackRow)).catch(() => undefined));
  };

  /** The run ended without a summary (failed start, error mid-run): every row `failed` with the reason; bounded. */
  async fail(err: unknown): Promise<void> {
    const r = this.recording;
    if (!r) return;
    const reason = (err as Error)?.message || String(err);
    const timer = setTimeout(() => r.store.cutOff(`the store did not answer within ${STORE_SILENT_MS / 1000} s`), STORE_SILENT_MS);
    try {
      // Records measured before the failure are kept like any others.
      await Promise.all(r.writers.map((w) => w.finish(STORE_SILENT_MS, BOUNDS)));
      await Promise.all(this.feedbackSaves);
      for (const id of this.runIds) await r.store.failRun(id, reason);
    } finally {
      clearTimeout(timer);
      await r.store.close().catch(() => undefined);
    }
  }

  /**
   * After the wave: drain the writers (until the store has everything, or the bounds above, or `cutoff` — the rest goes
   * to the spool), then save each run's summary — `toSave(i, section)` builds it with its store section — (bounded the
   * same way), close. `measured[i]` says how many records run i should hold. Returns each run's final store section
   * and where its summary went, in run order.
   */
  async finish(measured: readonly Summary[], toSave: SummaryToSave, cutoff?: AbortSignal): Promise<StoreOutcome[]> {
    const r = this.recording;
    if (!r) {
      const store = this.unavailable !== undefined ? noStore(this.unavailable) : undefined;
      return this.runIds.map(() => (store ? { store } : {}));
    }
    const sections: (StoreSummary | undefined)[] = [];
    try {
      return await this.save(r, measured, toSave, sections, cutoff);
    } catch (err) {
      // A bug here must not cost the measurement: the reports are still written, and say the store is incomplete.
      const info = r.store.info();
      const error = `storing the run failed: ${(err as Error)?.message ?? String(err)}`;
      await r.store.close().catch(() => undefined);
      return this.runIds.map((_, i) => ({
        store: { ...(sections[i] ?? { kind: info.kind, location: info.location, storedRequests: 0 }), complete: false, error },
        saved: { stored: false, error },
      }));
    }
  }

  private async save(
    r: NonNullable<StoreSession['recording']>,
    measured: readonly Summary[],
    toSave: SummaryToSave,
    sections: (StoreSummary | undefined)[],
    cutoff?: AbortSignal,
  ): Promise<StoreOutcome[]> {
    const stopNotices = this.waitNotices(r);
    let drained: WriterResult[];
    try {
      drained = await Promise.all(r.writers.map((w) => w.finish(Infinity, { ...BOUNDS, ...(cutoff ? { signal: cutoff } : {}) })));
    } finally {
      stopNotices();
    }
    const cutShort = drained.find((d) => d.endedBy);
    if (cutShort) r.store.cutOff(cutShort.error ?? 'the store stopped taking records');
    const onAbort = () => r.store.cutOff('interrupted while waiting for the store');
    cutoff?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => r.store.cutOff(`the store did not answer within ${STORE_SILENT_MS / 1000} s`), STORE_SILENT_MS);
    try {
      await Promise.all(this.feedbackSaves);
      const info = r.store.info();
      const out: StoreOutcome[] = [];
      for (const [i, w] of drained.entries()) {
        const drainedSection: StoreSummary = {
          kind: info.kind,
          location: info.location,
          storedRequests: w.stored,
          complete: w.stored === expectedRecords(measured[i]) && !w.spoolPath,
          ...(w.spoolPath ? { spoolPath: w.spoolPath } : {}),
          ...(w.error ? { error: w.error } : {}),
        };
        sections[i] = drainedSection;
        const saved = await r.store.finishRun(toSave(i, drainedSection));
        // The summary itself is only in the spool (or nowhere): the store does not have the whole run yet.
        const store = saved.stored
          ? drainedSection
          : { ...drainedSection, complete: false, ...(saved.spoolPath ? { spoolPath: saved.spoolPath } : {}), error: drainedSection.error ?? `the summary was not stored: ${saved.error}` };
        sections[i] = store;
        out.push({ store, saved });
      }
      return out;
    } finally {
      clearTimeout(timer);
      cutoff?.removeEventListener('abort', onAbort);
      await r.store.close().catch(() => undefined);
    }
  }

  /** While the drain takes longer than a second, say what it waits for and how to stop waiting. */
  private waitNotices(r: NonNullable<StoreSession['recording']>): () => void {
    let timer: NodeJS.Timeout;
    const tick = () => {
      const stats = r.writers.map((w) => w.stats());
      const left = stats.reduce((n, st) => n + st.accepted - st.stored, 0);
      const failing = stats.find((st) => st.state !== 'ok');
      if (left > 0) {
        const bound = failing
          ? `it fails (${failing.lastError ?? 'no answer'}): giving up ${STORE_IDLE_MS / 1000} s after its last progress`
          : `giving up if it takes nothing for ${STORE_SILENT_MS / 1000} s`;
        r.notices.write(`modelwave: waiting for the metrics store (${left} records left; ${bound}) — Ctrl-C to spool them and stop\n`);
      }
      timer = setTimeout(tick, NOTICE_EVERY_MS);
    };
    timer = setTimeout(tick, NOTICE_AFTER_MS);
    return () => clearTimeout(timer);
  }
}

/** The `store` section of a run that asked for a store and could not have one. */
export const noStore = (why: string): StoreSummary => ({ kind: 'none', location: '', storedRequests: 0, complete: false, error: why });
