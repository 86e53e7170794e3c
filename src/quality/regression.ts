// Regression quality, accumulated row by row and mergeable across workers and windows.
// R² = 1 − SSE / SST needs Σ(y − ȳ)², which the textbook Σy² − n·ȳ² computes by cancellation (catastrophic when
// |ȳ| ≫ sd(y), e.g. prices around 1e6 varying by 1). Welford's update keeps the mean and M2 = Σ(y − ȳ)² directly,
// and Chan et al.'s pairwise formula merges two of them. SSE and Σ|e| are sums of non-negative terms (no
// cancellation), kept with Neumaier compensation so a long run does not drift.
import type { RegressionStats } from '../summary/types.js';

export class RegressionAccumulator {
  private n = 0;
  private meanY = 0;
  private m2Y = 0;
  private readonly sse = new CompensatedSum();
  private readonly sae = new CompensatedSum();

  add(y: number, yhat: number): void {
    if (!Number.isFinite(y) || !Number.isFinite(yhat)) {
      throw new RangeError(`RegressionAccumulator.add: y and yhat must be finite numbers (got ${y}, ${yhat})`);
    }
    const e = y - yhat;
    this.sse.add(e * e);
    this.sae.add(Math.abs(e));
    this.n++;
    const d = y - this.meanY;
    this.meanY += d / this.n;
    this.m2Y += d * (y - this.meanY);
  }

  merge(o: RegressionAccumulator): void {
    if (o.n === 0) return;
    const n = this.n + o.n;
    const d = o.meanY - this.meanY;
    this.m2Y += o.m2Y + (d * d * this.n * o.n) / n;
    this.meanY += (d * o.n) / n;
    this.n = n;
    this.sse.merge(o.sse);
    this.sae.merge(o.sae);
  }

  /**
   * MAE, RMSE and R². With n = 0 every value is null (not measured). When the labels are constant (SST = 0) R² is
   * 1 for a perfect fit and 0 otherwise — scikit-learn's finite convention, instead of −∞ or NaN.
   */
  stats(): RegressionStats {
    const n = this.n;
    if (n === 0) return { n: 0, mae: null, rmse: null, r2: null };
    const sse = this.sse.value();
    const r2 = this.m2Y > 0 ? 1 - sse / this.m2Y : sse === 0 ? 1 : 0;
    return { n, mae: this.sae.value() / n, rmse: Math.sqrt(sse / n), r2 };
  }
}

/** Neumaier's variant of Kahan summation. */
class CompensatedSum {
  private sum = 0;
  private c = 0;
  add(x: number): void {
    const t = this.sum + x;
    this.c += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  merge(o: CompensatedSum): void {
    this.add(o.sum);
    this.add(o.c);
  }
  value(): number {
    return this.sum + this.c;
  }
}
