// Resampling a series whose neighbours are correlated in time. Latency on a shared machine is: a noisy neighbour, a
// GC pause or a CPU-frequency step slows a whole stretch of requests, so treating requests as independent draws
// (the ordinary bootstrap) makes intervals too narrow and "significant" slowdowns appear between two identical runs.
// The stationary bootstrap (Politis & Romano 1994) resamples blocks of consecutive observations with geometric
// lengths, so the correlation inside a block is kept; the mean block length comes from the data by Politis & White
// (2004) with the correction of Patton, Politis & White (2009). Künsch (1989) introduced the moving-block bootstrap
// this refines; the stationary version's random lengths make the resample itself stationary.
import type { Rng } from './rng.js';

/**
 * Politis & White's (2004) automatic mean block length for the stationary bootstrap of `x` (with Patton, Politis &
 * White's 2009 correction of the constant): b = (2·G²/D)^(1/3)·n^(1/3), G = Σ λ(k/M)·|k|·γ(k), D = 2·(Σ λ(k/M)·γ(k))²
 * over |k| ≤ M, λ the flat-top window (1 up to ½, then falling linearly to 0 at 1), γ the sample autocovariance.
 * M is twice the smallest lag m̂ after which K_N = max(5, ⌈√log10 n⌉) autocorrelations in a row are insignificant
 * (|ρ| < 2·√(log10 n / n)), at most ⌈√n⌉ + K_N. The result is capped at min(3√n, n/3) as in the paper and floored
 * at 1 (independent data gives ~1: the ordinary bootstrap).
 */
export function optimalBlockLength(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 8) return 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const e = Float64Array.from({ length: n }, (_, i) => x[i] - mean);
  const kn = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const mMax = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kn);
  const cv = 2 * Math.sqrt(Math.log10(n) / n);
  const acv = new Float64Array(mMax + 1);
  const absCorr = new Float64Array(mMax + 1);
  for (let k = 0; k <= mMax; k++) {
    let cross = 0;
    for (let i = k; i < n; i++) cross += e[i] * e[i - k];
    acv[k] = cross / n;
    absCorr[k] = acv[0] > 0 ? Math.abs(acv[k]) / acv[0] : 0;
  }
  // m̂: the smallest m whose next K_N autocorrelations are all insignificant.
  let mHat = -1;
  for (let m = 0; m + kn <= mMax && mHat < 0; m++) {
    let quiet = true;
    for (let j = m + 1; j <= m + kn; j++) if (!(absCorr[j] < cv)) quiet = false;
    if (quiet) mHat = m;
  }
  if (acv[0] === 0) return 1; // a constant series: nothing to keep together
  const m = mHat >= 0 ? Math.min(2 * Math.max(mHat, 1), mMax) : mMax;
  let g = 0;
  let longRun = acv[0];
  for (let k = 1; k <= m; k++) {
    const t = k / m;
    const lambda = t <= 0.5 ? 1 : 2 * (1 - t);
    g += 2 * lambda * k * acv[k];
    longRun += 2 * lambda * acv[k];
  }
  const d = 2 * longRun * longRun;
  if (!(d > 0)) return 1;
  const b = Math.cbrt((2 * g * g) / d) * Math.cbrt(n);
  const bMax = Math.ceil(Math.min(3 * Math.sqrt(n), n / 3));
  return Math.max(1, Math.min(b, bMax));
}

/** A resample as blocks of consecutive positions: block b covers start[b] … start[b] + length[b] − 1. */
export interface Blocks {
  start: Int32Array;
  length: Int32Array;
  count: number;
}

export function newBlocks(n: number): Blocks {
  // At most n blocks, plus one more for each block that wraps past the end.
  return { start: new Int32Array(2 * n), length: new Int32Array(2 * n), count: 0 };
}

/**
 * One stationary-bootstrap resample of n positions 0…n − 1 in circular order (Politis & Romano 1994): blocks start at
 * uniform positions and have geometric lengths with mean `meanBlock` (each next position continues the block with
 * probability 1 − 1/meanBlock), cut so the total is n. A block that runs past n − 1 wraps to 0 and is returned as two
 * blocks, so every block is a contiguous range. meanBlock = 1 is the ordinary (independent) bootstrap.
 */
export function stationaryBlocks(n: number, meanBlock: number, rng: Rng, out: Blocks): Blocks {
  const p = 1 / Math.max(1, meanBlock);
  const logQ = Math.log1p(-p); // −Infinity at p = 1: every block has length 1
  let filled = 0;
  let count = 0;
  while (filled < n) {
    const begin = Math.floor(rng.uniform() * n);
    // Geometric on {1, 2, …} with mean 1/p, by inversion.
    let len = p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.uniform()) / logQ);
    len = Math.min(len, n - filled);
    filled += len;
    const first = Math.min(len, n - begin);
    out.start[count] = begin;
    out.length[count++] = first;
    if (first < len) {
      out.start[count] = 0;
      out.length[count++] = len - first;
    }
  }
  out.count = count;
  return out;
}
