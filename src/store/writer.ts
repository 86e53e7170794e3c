// The request writer: the engine's hot path only pushes a reference onto an in-memory queue. A background pump
// ships up to `batchRequests` requests at a time to the store process, which runs them as one COPY or multi-row INSERT. When the queue passes its bound (store slower than the wave) or
// the store fails (connection lost, statement rejected), queued requests spill to the run's spool file, and the
// pump retries with exponential backoff; once the queue is empty it drains the spool. Nothing is dropped: a request
// is either confirmed stored or in the spool, and finish() says which.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordBatch } from '../engine/types.js';
import { errorMessage, isTransient, type Db } from './db.js';
import { encodeSpoolRequests, fromBatch, partSize, partsOf, type Part } from './columns.js';
import { SpoolApplier, type Spool } from './spool.js';
import type { FinishOptions, RequestWriter, WriterOptions, WriterResult, WriterStats } from './types.js';

const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2_000;
/** Statements rejected for a reason a retry cannot fix, in a row, before the writer stops trying. */
const PERMANENT_FAILURES = 3;
const SPOOL_READ_BYTES = 4 << 20;

const fmtMs = (ms: number): string => (ms >= 1_000 ? `${Math.round(ms / 1_000)} s` : `${ms} ms`);

export class StoreWriter implements RequestWriter {
  private queue: Part[] = [];
  private queued = 0;
  private accepted = 0;
  private stored = 0;
  private spooled = 0;
  private pumping = false;
  private spilling: Promise<void> | null = null;
  private inflight: Part[] | null = null;
  private retryAt = 0;
  private backoffMs = 0;
  private rejections = 0;
  private lastError?: string;
  private gaveUp?: string;
  private stopped = false;
  private finished = false;
  private readonly maxQueued: number;
  private readonly batch: number;

  constructor(
    private readonly db: Db | null,
    readonly runId: string,
    private readonly spool: Spool,
    opts: WriterOptions = {},
    /** Why there is no db (spool-only store). */
    private readonly offlineReason?: string,
  ) {
    this.maxQueued = opts.maxQueuedRequests ?? 100_000;
    this.batch = opts.batchRequests ?? 5_000;
    if (!db) this.gaveUp = offlineReason ?? 'store not connected';
  }

  get done(): boolean {
    return this.finished;
  }

  write(batch: RecordBatch, window: Int32Array): void {
    if (this.finished) throw new Error(`writer for run ${this.runId} is finished`);
    if (batch.count === 0) return;
    const parts = partsOf(fromBatch(batch, window), this.batch);
    for (const p of parts) this.queue.push(p);
    this.queued += batch.count;
    this.accepted += batch.count;
    if (this.shouldSpill()) this.spill();
    this.pump();
  }

  stats(): WriterStats {
    return {
      accepted: this.accepted,
      stored: Math.min(this.stored, this.accepted),
      queued: this.queued,
      spooled: this.spooled,
      state: this.gaveUp ? 'spool-only' : this.backoffMs > 0 ? 'retrying' : 'ok',
      lastError: this.lastError ?? this.gaveUp,
    };
  }

  async finish(timeoutMs: number, opts: FinishOptions = {}): Promise<WriterResult> {
    if (this.finished) throw new Error(`writer for run ${this.runId} is already finished`);
    const deadline = Date.now() + Math.max(0, timeoutMs);
    this.pump();
    // A store that keeps taking records may take its time; one whose statements fail and that took nothing for idleMs
    // has gone away; one that took nothing for silentMs without a failure hangs.
    let progressAt = Date.now();
    let storedBefore = this.stored;
    let endedBy: WriterResult['endedBy'];
    let stalledMs = 0;
    while (!this.gaveUp && !this.idle()) {
      const sinceMs = Date.now() - progressAt;
      const failing = this.backoffMs > 0;
      if (opts.signal?.aborted) endedBy = 'signal';
      else if (Date.now() >= deadline) endedBy = 'timeout';
      else if (failing && opts.idleMs !== undefined && sinceMs >= opts.idleMs) [endedBy, stalledMs] = ['stall', opts.idleMs];
      else if (opts.silentMs !== undefined && sinceMs >= opts.silentMs) [endedBy, stalledMs] = ['stall', opts.silentMs];
      if (endedBy) break;
      await sleep(Math.min(10, deadline - Date.now()));
      if (this.stored !== storedBefore) [storedBefore, progressAt] = [this.stored, Date.now()];
    }
    this.stopped = true;
    this.finished = true;
    // What is still in memory (and an insert still in flight, whose fate is unknown) goes to the spool; a replay
    // of rows that did get in is harmless.
    const rest = [...(this.inflight ?? []), ...this.queue.splice(0)];
    this.queued = 0;
    if (this.spilling) await this.spilling;
    if (rest.length) await this.toSpool(rest);
    await this.spool.settle();
    if (this.idle() && !this.spool.pending) {
      await this.spool.remove();
      // PGlite runs no autovacuum: without statistics the planner sorts whole runs for paged reads (export).
      if (this.db?.kind === 'embedded') await this.db.query('ANALYZE requests').catch(() => undefined);
      // Every accepted request is now either inserted or confirmed present (ON CONFLICT): exactly `accepted`, even
      // when an ambiguous failure made a replay count some twice.
      this.stored = this.accepted;
      return { stored: this.stored };
    }
    const why =
      endedBy === 'stall' ? `the store took no record for ${fmtMs(stalledMs)}`
      : endedBy === 'signal' ? 'interrupted while waiting for the store'
      : endedBy === 'timeout' ? `the store did not take every record within ${timeoutMs} ms`
      : undefined;
    const cause = this.gaveUp ?? this.lastError;
    const error = why && cause ? `${why} (${cause})` : (why ?? cause ?? 'the store did not take every record');
    const spooled = this.spool.exists || this.spool.pending;
    return { stored: Math.min(this.stored, this.accepted), ...(spooled ? { spoolPath: this.spool.path } : {}), error, ...(endedBy ? { endedBy } : {}) };
  }

  private idle(): boolean {
    return !this.queue.length && !this.inflight && !this.spilling && !this.spool.pending;
  }

  private shouldSpill(): boolean {
    return this.gaveUp !== undefined || this.backoffMs > 0 || this.queued > this.maxQueued;
  }

  /**
   * Move the queue to the spool, one statement-sized line at a time, yielding between lines: encoding costs about a
   * microsecond per request, and a large queue must not stall the caller's event loop in one piece.
   */
  private spill(): void {
    if (this.spilling) return;
    this.spilling = (async () => {
      await new Promise<void>((r) => setImmediate(r));
      while (this.queue.length && (this.stopped || this.shouldSpill())) {
        if (!(await this.toSpool(this.takeHead()))) break; // spool unwritable: keep the rest in memory
      }
    })().finally(() => {
      this.spilling = null;
    });
  }

  /** False when the spool cannot be written (the parts are back at the head of the queue). */
  private async toSpool(parts: Part[]): Promise<boolean> {
    const lines: string[] = [];
    let group: Part[] = [];
    let n = 0;
    const flush = () => {
      if (group.length) lines.push(encodeSpoolRequests(group));
      group = [];
      n = 0;
    };
    for (const p of parts) {
      if (group.length && (n + partSize(p) > this.batch || group[0].cols.rowsPerRequest !== p.cols.rowsPerRequest)) flush();
      group.push(p);
      n += partSize(p);
    }
    flush();
    const count = parts.reduce((s, p) => s + partSize(p), 0);
    this.spooled += count; // counted before the write lands, so stats() never shows records in neither place
    try {
      await this.spool.append(lines);
      return true;
    } catch (err) {
      this.spooled -= count;
      // Disk full or unwritable: keep the records in memory rather than lose them; the pump may still store them.
      this.lastError = `cannot write the spool ${this.spool.path}: ${errorMessage(err)}`;
      this.queue.unshift(...parts);
      this.queued += count;
      return false;
    }
  }

  private pump(): void {
    if (this.pumping || !this.db || this.gaveUp) return;
    this.pumping = true;
    const db = this.db;
    setImmediate(() => {
      void this.run(db).finally(() => {
        this.pumping = false;
      });
    });
  }

  private async run(db: Db): Promise<void> {
    while (!this.stopped && !this.gaveUp) {
      const waitMs = this.retryAt - Date.now();
      if (waitMs > 0) {
        await sleep(Math.min(waitMs, 50)); // short naps so finish()'s deadline stays responsive
        continue;
      }
      if (this.queue.length) {
        const parts = this.takeHead();
        this.inflight = parts;
        try {
          await db.insertRequests(this.runId, parts);
          this.stored += parts.reduce((n, p) => n + partSize(p), 0);
          this.succeeded();
        } catch (err) {
          this.failed(err);
          if (!this.stopped) await this.toSpool(parts);
        } finally {
          this.inflight = null;
        }
      } else if (this.spool.pending) {
        await this.drainStep(db);
      } else if (this.spilling) {
        await this.spilling;
      } else {
        return;
      }
    }
  }

  private takeHead(): Part[] {
    const out: Part[] = [];
    let n = 0;
    while (this.queue.length && n + partSize(this.queue[0]) <= this.batch) {
      const p = this.queue.shift()!;
      out.push(p);
      n += partSize(p);
    }
    if (!out.length) out.push(this.queue.shift()!); // a part is never larger than `batch`; defensive
    this.queued -= out.reduce((s, p) => s + partSize(p), 0);
    return out;
  }

  /** Apply the next block of spool lines; commit the offset only once they are all in. */
  private async drainStep(db: Db): Promise<void> {
    try {
      const lines = await this.spool.read(SPOOL_READ_BYTES);
      if (!lines.length) return;
      const applier = new SpoolApplier(db, this.batch, this.runId);
      for (const { line } of lines) await applier.add(line);
      await applier.flush();
      this.spool.commit(lines[lines.length - 1].end);
      this.stored += applier.requests;
      this.spooled = Math.max(0, this.spooled - applier.requests);
      this.succeeded();
    } catch (err) {
      this.failed(err);
    }
  }

  private succeeded(): void {
    this.backoffMs = 0;
    this.retryAt = 0;
    this.rejections = 0;
  }

  private failed(err: unknown): void {
    this.lastError = errorMessage(err);
    if (!isTransient(err) && ++this.rejections >= PERMANENT_FAILURES) {
      this.gaveUp = `the store rejected the records: ${this.lastError}`;
    }
    this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, this.backoffMs * 2));
    this.retryAt = Date.now() + this.backoffMs;
    this.spill();
  }
}
