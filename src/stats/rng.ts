// A small seeded generator for resampling statistics (bootstrap). Not the row generator (src/data/prng.ts is
// counter-based for random access by row); here draws are sequential and only determinism per seed matters.
// xoshiro128** (Blackman & Vigna) seeded through splitmix32, so nearby seeds give unrelated streams.

export interface Rng {
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal deviate. */
  normal(): number;
  /** Gamma(shape, 1) deviate, shape ≥ 1. */
  gamma(shape: number): number;
  /** Beta(a, b) deviate, a, b ≥ 1. */
  beta(a: number, b: number): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic generator: the same `seed` (any finite number) gives the same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number (got ${seed})`);
  // Fold the high word in so seeds above 2^32 (or fractional) still differ.
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) ^ Math.floor((seed % 1) * 4294967296));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  if ((a | b | c | d) === 0) a = 1;

  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  let spare: number | null = null;
  const rng: Rng = {
    uniform() {
      return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Box–Muller; 1 − u keeps the log argument in (0, 1].
      const r = Math.sqrt(-2 * Math.log(1 - rng.uniform()));
      const theta = 2 * Math.PI * rng.uniform();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    gamma(shape) {
      if (!(shape >= 1)) throw new RangeError(`gamma: shape must be ≥ 1 (got ${shape})`);
      // Marsaglia & Tsang (2000): exact rejection sampler, ~1.02 normals per draw for any shape ≥ 1.
      const dd = shape - 1 / 3;
      const cc = 1 / Math.sqrt(9 * dd);
      for (;;) {
        let x: number;
        let v: number;
        do {
          x = rng.normal();
          v = 1 + cc * x;
        } while (v <= 0);
        v = v * v * v;
        const u = 1 - rng.uniform();
        if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
        if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
      }
    },
    beta(aa, bb) {
      const x = rng.gamma(aa);
      const y = rng.gamma(bb);
      return x / (x + y);
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** mulberry32's raw 32-bit words from `state`: the one generator behind mulberry32 and mulberry32Open. */
export function mulberry32Words(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * mulberry32 (Tommy Ettinger): a tiny 32-bit generator, uniform in [0, 1) with 32 bits. For fault injection and
 * test data, where only speed and determinism per seed matter — not for statistics (use createRng).
 */
export function mulberry32(seed: number): () => number {
  const w = mulberry32Words(seed);
  return () => w() / 4294967296;
}

/** The same words as uniforms in the open interval (0, 1) — never 0, so −ln(u) is finite (the pacer's Poisson gaps). */
export function mulberry32Open(state: number): () => number {
  const w = mulberry32Words(state);
  return () => (w() + 0.5) / 4294967296;
}
