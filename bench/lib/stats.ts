// Medians, ranges and the Markdown tables the suite prints and writes.

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** A number with sensible precision for a table. */
export function fmt(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '–';
  const d = digits ?? (Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** A difference with its sign: +1.20, −0.35. */
export function fmtSigned(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '–';
  return x < 0 ? `−${fmt(-x, digits)}` : `+${fmt(x, digits)}`;
}

/** "+median [min – max]" of differences (just the value when there is one sample). */
export function fmtSignedSpread(s: Spread, digits?: number): string {
  if (s.n <= 1) return fmtSigned(s.median, digits);
  return `${fmtSigned(s.median, digits)} [${fmtSigned(s.min, digits)} … ${fmtSigned(s.max, digits)}]`;
}

/** "median [min–max]" (just the value when there is one sample). */
export function fmtSpread(s: Spread, digits?: number): string {
  if (s.n <= 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–';
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}


/**
 * Calls per second of `fn` over consecutive indices for about `ms` (after 20,000 warm-up calls), checking the clock
 * every `batch` calls. The sum of the results is kept observable so the work is not optimized away.
 */
export function callsPerSecond(fn: (i: number) => number, ms: number, batch: number): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += fn(i);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let j = 0; j < batch; j++, n++) sink += fn(n);
    t = performance.now();
  }
  if (sink === -1) console.log(sink);
  return (n / (t - t0)) * 1000;
}
