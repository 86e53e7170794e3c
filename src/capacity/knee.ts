// The knee of the latency–throughput curve, by Kneedle (Satopää, Albrecht, Irwin, Raghavan: "Finding a 'Kneedle' in
// a Haystack: Detecting Knee Points in System Behavior", ICDCS workshops 2011): scale throughput and latency to
// [0, 1] over the probes, and take the probe furthest below the chord from the first point to the last, i.e. the
// largest x − y. For a latency curve that stays flat and then climbs, that is the last probe before the climb.

interface CurvePoint {
  /** Achieved throughput, req/s. */
  x: number;
  /** Latency percentile, ms. */
  y: number;
}

/** Index (into `points`) of the knee; undefined with fewer than 3 points or no rise in latency. */
export function kneeIndex(points: readonly CurvePoint[]): number | undefined {
  if (points.length < 3) return undefined;
  const order = points.map((_, i) => i).sort((a, b) => points[a]!.x - points[b]!.x);
  const xs = order.map((i) => points[i]!.x);
  const ys = order.map((i) => points[i]!.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 <= x0 || y1 <= y0) return undefined;
  let best = -Infinity;
  let at: number | undefined;
  order.forEach((i, k) => {
    const d = (xs[k]! - x0) / (x1 - x0) - (ys[k]! - y0) / (y1 - y0);
    if (d > best) {
      best = d;
      at = i;
    }
  });
  return best > 0 ? at : undefined;
}

export const KNEE_METHOD = 'Kneedle (Satopää et al. 2011): max of normalised throughput − normalised latency over the valid probes';
