// Delayed ground truth (the lab's `track_delayed_metrics`): after `feedback.after`, post each answered request's
// true label to the feedback endpoint, keyed by the server's uuid (or the sequence number). Runs on the main thread,
// batched and rate-bounded, never on the workers' request path.
import type { FeedbackSpec, LabelValue } from '../../spec/types.js';
import type { FeedbackSummary } from '../../summary/types.js';
import type { FeedbackProgress, RunSink } from './sink.js';
export type { FeedbackProgress };
import { Outcome, type RecordBatch } from '../types.js';
import { redactUrl } from '../../scenario/redact.js';
import { canPost, feedbackBody, feedbackHeaders, itemsPerPost } from './feedback-format.js';
import { httpsAgent, type TlsMaterial } from '../net/tls.js';

interface Pending {
  dueMs: number;
  key: string;
  seq: number;
  label: LabelValue | LabelValue[] | number | number[];
}

export interface FeedbackRecord {
  uuid: string;
  seq: number;
  label: string;
  postedAtMs: number;
  outcome: 'posted' | 'failed';
}

/** Where feedback stands (labels = rows): for live outputs. */
export class FeedbackPoster implements RunSink {
  private queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  /** Labels taken off the queue into the post under way (neither queued nor settled yet). */
  private posting = 0;
  private readonly stats = { posted: 0, failed: 0, retried: 0, labelsPosted: 0, labelsFailed: 0 };
  private nextPostMs = 0;
  /** Set by finish(): no post or retry starts after it. */
  private deadlineMs = Infinity;
  /** Posted labels, kept only when nobody takes them as they go (`onPosted`), so long runs stay bounded in memory. */
  readonly records: FeedbackRecord[] = [];
  onPosted?: (rows: FeedbackRecord[]) => void;
  /** https:// feedback URLs: the target's TLS settings (CA, client certificate, insecure) apply here too. */
  private readonly dispatcher?: ReturnType<typeof httpsAgent>;

  constructor(
    private readonly spec: FeedbackSpec,
    private readonly url: string,
    private readonly classes: LabelValue[],
    /** ms since t = 0 (the run clock), so `after` counts from each response. */
    private readonly nowMs: () => number,
    private readonly target = 0,
    tls?: TlsMaterial,
  ) {
    // Only when the scenario changes trust: otherwise fetch's own agent already trusts what Node trusts.
    if (tls && url.startsWith('https:') && (tls.ca || tls.cert || !tls.rejectUnauthorized)) this.dispatcher = httpsAgent(tls);
  }

  progress(): FeedbackProgress {
    return { labelsPosted: this.stats.labelsPosted, labelsFailed: this.stats.labelsFailed, labelsQueued: this.queue.length - this.head + this.posting };
  }

  onBatch(target: number, b: RecordBatch): void {
    if (target !== this.target) return;
    const k = b.rowsPerRequest;
    for (let i = 0; i < b.count; i++) {
      if (b.outcome[i] !== Outcome.ok) continue;
      if (!canPost(this.spec, b.uuid[i] !== '')) {
        this.stats.labelsFailed += k;
        continue;
      }
      const key = this.spec.key === 'uuid' && b.uuid[i] ? b.uuid[i] : String(b.seq[i]);
      const labels: (LabelValue | number)[] = [];
      for (let j = 0; j < k; j++) {
        const l = b.label[i * k + j];
        labels.push(this.classes.length ? this.classes[l] ?? l : l);
      }
      this.queue.push({ dueMs: b.receivedUs[i] / 1000 + this.spec.afterMs, key, seq: b.seq[i], label: k === 1 ? labels[0] : labels });
    }
    if (!this.timer) this.timer = setInterval(() => void this.pump(false), 100);
  }

  /**
   * Post everything still queued (ignoring the remaining delay) and stop, for at most `limitMs` (plus one request
   * timeout): an endpoint that went away with the run (Ctrl-C reaches a local server too) must not hold the run
   * open for retries × batches. Labels the bound leaves unposted are counted as failed, never dropped silently.
   */
  async finish(limitMs = Infinity): Promise<FeedbackSummary> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.deadlineMs = Date.now() + limitMs;
    while (this.busy) await sleep(10);
    while (this.head < this.queue.length && Date.now() < this.deadlineMs) await this.pump(true);
    if (this.head < this.queue.length) this.settle(this.queue.slice(this.head), false, Date.now());
    this.head = this.queue.length;
    await (await this.dispatcher)?.close();
    return { url: redactUrl(this.url), ...this.stats };
  }

  private async pump(all: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.nowMs();
      while (this.head < this.queue.length && (all || this.queue[this.head].dueMs <= now) && Date.now() < this.deadlineMs) {
        const batch: Pending[] = [];
        while (batch.length < itemsPerPost(this.spec) && this.head < this.queue.length && (all || this.queue[this.head].dueMs <= now)) {
          batch.push(this.queue[this.head++]);
        }
        this.posting = batch.length;
        try {
          await this.rateGate();
          await this.post(batch);
        } finally {
          this.posting = 0;
        }
        if (!all) break; // one batch per tick keeps the main thread responsive during the run
      }
      if (this.head > 10_000 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.busy = false;
    }
  }

  private async rateGate(): Promise<void> {
    const gapMs = 1000 / this.spec.maxRate;
    const now = Date.now();
    if (now < this.nextPostMs) await sleep(this.nextPostMs - now);
    this.nextPostMs = Math.max(now, this.nextPostMs) + gapMs;
  }

  private async post(batch: Pending[]): Promise<void> {
    const body = feedbackBody(this.spec, batch);
    const headers = feedbackHeaders(this.spec);
    for (let attempt = 0; ; attempt++) {
      let ok = false;
      try {
        const res = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000), ...(this.dispatcher && { dispatcher: await this.dispatcher }) } as RequestInit);
        await res.arrayBuffer();
        ok = res.ok;
      } catch {
        ok = false;
      }
      if (ok || attempt >= this.spec.retries || Date.now() >= this.deadlineMs) {
        if (ok) this.stats.posted++;
        else this.stats.failed++;
        this.settle(batch, ok, Date.now());
        return;
      }
      this.stats.retried++;
      await sleep(100 * 2 ** attempt);
    }
  }

  /** Count labels as posted or failed and hand their records on. */
  private settle(batch: Pending[], ok: boolean, postedAtMs: number): void {
    if (ok) this.stats.labelsPosted += batch.length;
    else this.stats.labelsFailed += batch.length;
    const rows: FeedbackRecord[] = batch.map((p) => ({ uuid: p.key, seq: p.seq, label: JSON.stringify(p.label), postedAtMs, outcome: ok ? 'posted' : 'failed' }));
    if (this.onPosted) this.onPosted(rows);
    else this.records.push(...rows);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

