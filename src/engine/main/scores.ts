// Memory-bounded sinks for long runs: probability scores kept as counts per distinct value (ROC AUC and log loss
// exactly, for models whose probabilities have ≤ 6 decimals — finer ones are rounded to 1e-6, moving AUC by at most
// the pairs that rounding ties), and per-row correctness as one byte per row instead of a map entry.
import { comparePairs, sortedCountsFromBuckets } from '../../stats/ranks.js';
import { LOG_LOSS_EPS } from '../../quality/classification.js';

export class ScoreBins {
  private readonly pos = new Map<number, number>();
  private readonly neg = new Map<number, number>();
  private logLossSum = 0;
  n = 0;

  add(prob: number, positive: boolean): void {
    // Same clipping as quality/classification.ts: clip the probability given to the true class.
    this.logLossSum -= Math.log(Math.max(positive ? prob : 1 - prob, LOG_LOSS_EPS));
    const key = Math.round(prob * 1e6) / 1e6;
    const m = positive ? this.pos : this.neg;
    m.set(key, (m.get(key) ?? 0) + 1);
    this.n++;
  }

  logLoss(): number | undefined {
    return this.n > 0 ? this.logLossSum / this.n : undefined;
  }

  /** P(score of a positive > score of a negative) + ½ P(tie); undefined without both classes. */
  rocAuc(): number | undefined {
    const nPos = [...this.pos.values()].reduce((a, b) => a + b, 0);
    const nNeg = this.n - nPos;
    if (nPos === 0 || nNeg === 0) return undefined;
    const sc = (m: Map<number, number>) => sortedCountsFromBuckets([...m.keys()], [...m.values()]);
    const { greater, ties } = comparePairs(sc(this.pos), sc(this.neg));
    return (greater + 0.5 * ties) / (nPos * nNeg);
  }
}

/** Row key → 1 right, 0 wrong, 255 answered but not scored, 254 never seen. Grows by doubling. */
export class Correctness {
  static readonly NOT_SCORED = 255;
  static readonly ABSENT = 254;
  private buf = new Uint8Array(1024).fill(Correctness.ABSENT);
  size = 0;

  set(key: number, v: number): void {
    if (key >= this.buf.length) {
      let n = this.buf.length;
      while (n <= key) n *= 2;
      const next = new Uint8Array(n).fill(Correctness.ABSENT);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[key] = v;
    if (key + 1 > this.size) this.size = key + 1;
  }

  static from(entries: Iterable<[number, number]>): Correctness {
    const c = new Correctness();
    for (const [k, v] of entries) c.set(k, v);
    return c;
  }

  get(key: number): number {
    return key < this.size ? this.buf[key] : Correctness.ABSENT;
  }
}
