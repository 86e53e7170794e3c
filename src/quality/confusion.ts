// Confusion counts for k classes: one small accumulator per total and per window, mergeable across workers.

export class Confusion {
  readonly k: number;
  // Row-major k×k: cell [t * k + p] counts rows of true class t predicted as p. Float64 so counts never wrap.
  private readonly cells: Float64Array;
  // Per true class: rows answered with something that is not one of the k classes, scored as wrong.
  private readonly outside: Float64Array;

  constructor(k: number) {
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`Confusion: k must be a positive integer (got ${k})`);
    this.k = k;
    this.cells = new Float64Array(k * k);
    this.outside = new Float64Array(k);
  }

  /** Counts `n` rows of true class `trueIdx` whose answer was not one of the classes (wrong, in no column). */
  addOutOfClass(trueIdx: number, n = 1): void {
    this.check('trueIdx', trueIdx);
    this.outside[trueIdx] += n;
  }

  /** Per true class: rows answered outside the classes (the k+1-th column a k×k matrix has no room for). */
  outOfClass(): number[] {
    return Array.from(this.outside);
  }

  /** Counts `n` rows with true class index `trueIdx` predicted as `predIdx`. */
  add(trueIdx: number, predIdx: number, n = 1): void {
    this.check('trueIdx', trueIdx);
    this.check('predIdx', predIdx);
    if (!(n >= 0 && Number.isFinite(n))) throw new RangeError(`Confusion.add: n must be a non-negative number (got ${n})`);
    this.cells[trueIdx * this.k + predIdx] += n;
  }

  /** Adds another matrix of the same size into this one. */
  merge(other: Confusion): void {
    if (other.k !== this.k) throw new RangeError(`Confusion.merge: sizes differ (${this.k} vs ${other.k})`);
    for (let i = 0; i < this.cells.length; i++) this.cells[i] += other.cells[i];
    for (let i = 0; i < this.k; i++) this.outside[i] += other.outside[i];
  }

  /** matrix[t][p] = rows of true class t predicted as class p. */
  toMatrix(): number[][] {
    const out: number[][] = [];
    for (let t = 0; t < this.k; t++) out.push(Array.from(this.cells.subarray(t * this.k, (t + 1) * this.k)));
    return out;
  }

  /** Rows on the diagonal (predicted = true). */
  correct(): number {
    let s = 0;
    for (let i = 0; i < this.k; i++) s += this.cells[i * this.k + i];
    return s;
  }

  /** Rows scored: every cell plus the rows answered outside the classes. */
  total(): number {
    let s = 0;
    for (const v of this.cells) s += v;
    for (const v of this.outside) s += v;
    return s;
  }

  private check(name: string, idx: number): void {
    if (!(Number.isInteger(idx) && idx >= 0 && idx < this.k)) {
      throw new RangeError(`Confusion.add: ${name} must be an integer in [0, ${this.k - 1}] (got ${idx})`);
    }
  }
}
