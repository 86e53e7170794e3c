// Counter-based randomness: every draw is a pure function of (seed, stream, row index, slot, draw index), so any
// worker can produce any row without producing the rows before it. 32-bit integer ops only (Math.imul), no BigInt:
// this sits on the hot path of row generation.

/** Stream salts: rows, labels and replay order draw from unrelated streams of the same seed. */
export const STREAM = {
  fields: 0x243f6a88,
  labels: 0x85a308d3,
  shuffle: 0x13198a2e,
  faker: 0x03707344,
} as const;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** murmur3's 32-bit finalizer: a bijection with full avalanche. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Low and high 32-bit words of a non-negative safe integer (row indices may pass 2^32 on long runs). */
function words(n: number): [number, number] {
  const v = Math.floor(Math.abs(n));
  return [v >>> 0, Math.floor(v / TWO_POW_32) >>> 0];
}

/**
 * A row's position in a stream, as two 32-bit words. The pair is a bijection of the row index for a given stream,
 * so two rows never share every draw (a single 32-bit key would collide by the birthday bound after ~65k rows).
 */
export interface RowKey {
  a: number;
  b: number;
}

export interface Prng {
  /** The key of one row; compute once per row and pass to every draw of that row. */
  rowKey(rowIndex: number): RowKey;
  /** Writes the key of `rowIndex` into `out` (no allocation on the hot path). */
  setRowKey(out: RowKey, rowIndex: number): RowKey;
  /** A uniform 32-bit unsigned integer for (row, slot, draw). */
  uint32(key: RowKey, slot: number, draw: number): number;
  /** A uniform double in [0, 1) with 53 random bits for (row, slot, draw). */
  uniform(key: RowKey, slot: number, draw: number): number;
}

/** Slot and draw index folded into one word; slots < 2^20 and draws < 2^12 keep every pair distinct. */
function drawWord(slot: number, draw: number): number {
  return (Math.imul(slot, 0x1000) + draw) | 0;
}

/** A counter-based generator for one stream of one seed. `seed` may be any finite number (negative, > 2^32). */
export function createPrng(seed: number, stream: number): Prng {
  const [lo, hi] = words(seed);
  const neg = seed < 0 ? 0x5bd1e995 : 0;
  const s1 = fmix32(fmix32(lo ^ stream) ^ hi ^ neg);
  const s2 = fmix32(s1 ^ 0x6a09e667 ^ Math.imul(stream, 0x9e3779b1));
  const setRowKey = (out: RowKey, rowIndex: number): RowKey => {
    // ToUint32 is the index modulo 2^32; the high word is only computed past it (no array on the hot path).
    const rlo = rowIndex >>> 0;
    const rhi = rowIndex >= TWO_POW_32 ? Math.floor(rowIndex / TWO_POW_32) >>> 0 : 0;
    out.a = fmix32((rlo + s1) | 0);
    out.b = fmix32((rhi + s2) ^ out.a);
    return out;
  };
  return {
    rowKey: (rowIndex) => setRowKey({ a: 0, b: 0 }, rowIndex),
    setRowKey,
    uint32: uint32At,
    uniform: uniformAt,
  };
}

// A draw depends on the seed and stream only through the row key, so the draw functions are shared by every Prng:
// one function for the engine to inline wherever it is called.

/** Prng.uint32: a uniform 32-bit unsigned integer for (row key, slot, draw). */
export function uint32At(key: RowKey, slot: number, draw: number): number {
  return fmix32(key.a ^ fmix32((key.b + drawWord(slot, draw)) | 0));
}

/** Prng.uniform: a uniform double in [0, 1) with 53 random bits for (row key, slot, draw). */
export function uniformAt(key: RowKey, slot: number, draw: number): number {
  const m = fmix32((key.b + drawWord(slot, draw)) | 0);
  const x = fmix32(key.a ^ m);
  const y = fmix32((x + m + 0x9e3779b9) | 0);
  return ((x >>> 5) * 67108864 + (y >>> 6)) / TWO_POW_53;
}

/** Standard normal from two uniforms (Box–Muller); `u1` in [0,1) is mapped to (0,1] so log never sees 0. */
export function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** A seeded permutation of 0..n-1 (Fisher–Yates), each swap drawn from the stream at its own counter. */
export function permutation(n: number, seed: number): Uint32Array {
  const prng = createPrng(seed, STREAM.shuffle);
  const key = prng.rowKey(0);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    prng.setRowKey(key, i);
    const j = Math.floor(prng.uniform(key, 0, 0) * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
