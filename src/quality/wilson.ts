// Wilson score interval for a binomial proportion: unlike the Wald interval it stays inside [0, 1], is not
// degenerate at 0 or n successes, and keeps close to nominal coverage for small n (Newcombe 1998, method 3).

/** z for a two-sided 95% interval (the 0.975 normal quantile). */
const Z95 = 1.959964;

/**
 * Wilson score interval for `k` successes in `n` trials at normal quantile `z` (default: 95%).
 * n = 0 carries no information and gives [0, 1]. Bounds are exact 0 / 1 at k = 0 / k = n.
 */
export function wilson(k: number, n: number, z: number = Z95): [number, number] {
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`wilson: n must be a non-negative number (got ${n})`);
  if (!(k >= 0 && k <= n)) throw new RangeError(`wilson: k must be in [0, n] (got k=${k}, n=${n})`);
  if (!(z > 0 && Number.isFinite(z))) throw new RangeError(`wilson: z must be a positive number (got ${z})`);
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const lo = k === 0 ? 0 : Math.max(0, centre - half);
  const hi = k === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}
