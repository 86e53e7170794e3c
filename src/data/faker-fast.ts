// Seeded fast paths for the allow-listed faker methods whose value is a plain function of the uniform draws faker
// takes from its randomizer: the character strings (string.hexadecimal, alpha, alphanumeric, numeric), number.int,
// number.float, location.latitude/longitude and datatype.boolean. Each is @faker-js/faker 10's own code for that
// method (dist/base-*.js: fromCharacters → helpers.multiple → helpers.arrayElement → number.int,
// helpers.rangeToNumber), written out with the same arithmetic and the same draws in the same order, without faker's
// per-call allocations (options objects, a character array, a closure and an array per string): a ~1.9 µs
// string.hexadecimal(13) becomes ~0.2 µs, most of it the 13 counter-PRNG draws.
//
// faker stays the source of truth: faker.ts uses a fast path only after comparing it with faker on the field's first
// rows (any difference and the field calls faker), and test/data/faker-fast.test.ts compares both, value and number
// of draws, over thousands of seeds, rows and argument forms. Argument shapes not listed here get no fast path.
import type { RowKey } from './prng.js';
import { isPlainString, type Cell } from './types.js';

/**
 * The draws of one faker call: `u(key, slot, i)` is what faker's randomizer.next() returns on its (i+1)-th call for
 * that row and field (prng.ts uniformAt; the tests pass one that also records which draws were read).
 */
export type Uniform = (key: RowKey, slot: number, draw: number) => number;

/** One faker value from the draws of its call. It reads draws 0, 1, … in faker's order, each once, and no others. */
export type FastFaker = (u: Uniform, key: RowKey, slot: number) => Cell;

const UPPER = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
const DIGITS = [...'0123456789'];
const HEX = [...'0123456789abcdefABCDEF'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` has only these keys (faker reads no other option of these methods, but an unknown key means "not ours"). */
const onlyKeys = (v: Record<string, unknown>, keys: readonly string[]): boolean => Object.keys(v).every((k) => keys.includes(k));

/** faker's number.int({ min, max, multipleOf }) bounds: lo..lo+span-1 multiples of step, or one (`fixed`, no draw). */
interface IntRange {
  lo: number;
  span: number;
  step: number;
  fixed: boolean;
}

/** undefined where faker's number.int throws (then the field has no fast path, and faker says why). */
function intRange(min: number, max: number, step: number): IntRange | undefined {
  if (!Number.isSafeInteger(step) || step <= 0) return undefined;
  const lo = Math.ceil(min / step);
  const hi = Math.floor(max / step);
  if (lo === hi) return { lo, span: 0, step, fixed: true };
  if (hi < lo) return undefined;
  return { lo, span: hi - lo + 1, step, fixed: false };
}

/** number.int's value for draw `x` (or its one value). */
const intOf = (r: IntRange, x: number): number => (r.fixed ? r.lo * r.step : Math.floor(x * r.span + r.lo) * r.step);

/**
 * helpers.rangeToNumber(length) of a string method: a whole number as it is (`fixed`, no draw), `{ min, max }`
 * through number.int at draw 0 (unless min == max). undefined for any other shape.
 */
interface Length {
  fixed: number | undefined;
  range: IntRange | undefined;
  /** Draws the length takes: 0 or 1. */
  draws: number;
}

function lengthOf(v: unknown): Length | undefined {
  if (v === undefined) return { fixed: 1, range: undefined, draws: 0 };
  if (typeof v === 'number') return Number.isInteger(v) ? { fixed: v, range: undefined, draws: 0 } : undefined;
  if (!isObject(v) || !onlyKeys(v, ['min', 'max']) || typeof v.min !== 'number' || typeof v.max !== 'number') return undefined;
  const r = intRange(v.min, v.max, 1);
  if (!r) return undefined;
  return r.fixed ? { fixed: intOf(r, 0), range: undefined, draws: 0 } : { fixed: undefined, range: r, draws: 1 };
}

const lengthValue = (len: Length, u: Uniform, key: RowKey, slot: number): number => len.fixed ?? intOf(len.range!, u(key, slot, 0));

/** A character table as UTF-16 code units (every entry is one unit). */
const codesOf = (chars: readonly string[]): number[] => chars.map((c) => c.charCodeAt(0));
const unitsOf = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));

// One string per value, built from its code units in a reused array: the concatenation faker does (one string per
// character) costs more than the draws.
const scratch: number[] = [];
const APPLY_MAX = 2048; // code units per String.fromCharCode.apply (arguments live on the stack)

function fromScratch(length: number): string {
  if (length <= APPLY_MAX) {
    if (scratch.length !== length) scratch.length = length;
    return String.fromCharCode.apply(null, scratch);
  }
  let s = '';
  for (let i = 0; i < length; i += APPLY_MAX) s += String.fromCharCode.apply(null, scratch.slice(i, Math.min(length, i + APPLY_MAX)));
  return s;
}

/**
 * faker.string.fromCharacters(table, n) from draw `d` on, written into scratch at `at`: helpers.multiple of
 * helpers.arrayElement, which is `table[number.int({ max: k - 1 })]` = `table[Math.floor(u * k + 0) * 1]`, and no
 * draw at all for a one-element table. Returns the next free draw.
 */
function drawChars(table: readonly number[], n: number, u: Uniform, key: RowKey, slot: number, d: number, at: number): number {
  const k = table.length;
  if (k === 1) {
    for (let i = 0; i < n; i++) scratch[at + i] = table[0]!;
    return d;
  }
  for (let i = 0; i < n; i++) scratch[at + i] = table[Math.floor(u(key, slot, d + i) * k + 0)]!;
  return d + n;
}

/** `prefix` + n characters of `table` (fromCharacters), from draw `d` on. */
function prefixed(prefix: readonly number[], table: readonly number[], n: number, u: Uniform, key: RowKey, slot: number, d: number): string {
  const p = prefix.length;
  for (let i = 0; i < p; i++) scratch[i] = prefix[i]!;
  drawChars(table, n, u, key, slot, d, p);
  return fromScratch(p + n);
}

/** `exclude` as faker reads it: a string is its characters, a list is as given. */
function excludeOf(v: unknown): readonly string[] | undefined {
  if (v === undefined) return [];
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** Options given as a bare value (`alpha(10)`, `int(50)`) are faker's shorthand for one option. */
const options = (arg: unknown, key: string): unknown => (typeof arg === 'number' ? { [key]: arg } : arg);

function hexadecimal(opts: unknown): FastFaker | undefined {
  if (!isObject(opts) || !onlyKeys(opts, ['length', 'casing', 'prefix'])) return undefined;
  const { casing = 'mixed', prefix = '0x' } = opts;
  const len = lengthOf(opts.length);
  if (!len || typeof prefix !== 'string' || (casing !== 'mixed' && casing !== 'upper' && casing !== 'lower')) return undefined;
  // Drawn from the mixed 22-character table, then the drawn part (not the prefix) upper- or lower-cased.
  const table = codesOf(casing === 'mixed' ? HEX : HEX.map((c) => (casing === 'upper' ? c.toUpperCase() : c.toLowerCase())));
  const head = unitsOf(prefix);
  const d = len.draws;
  return (u, key, slot) => {
    const n = lengthValue(len, u, key, slot);
    return n <= 0 ? prefix : prefixed(head, table, n, u, key, slot, d);
  };
}

/** string.alpha and string.alphanumeric. */
function letters(withDigits: boolean, arg: unknown): FastFaker | undefined {
  const opts = options(arg, 'length');
  if (!isObject(opts) || !onlyKeys(opts, ['length', 'casing', 'exclude'])) return undefined;
  const len = lengthOf(opts.length);
  const { casing = 'mixed' } = opts;
  const exclude = excludeOf(opts.exclude);
  if (!len || !exclude) return undefined;
  let set: string[];
  if (casing === 'upper') set = UPPER;
  else if (casing === 'lower') set = LOWER;
  else if (casing === 'mixed') set = [...LOWER, ...UPPER];
  else return undefined;
  const table = codesOf((withDigits ? [...DIGITS, ...set] : set).filter((c) => !exclude.includes(c)));
  if (table.length === 0) return undefined; // faker throws (for every row with a positive length)
  const d = len.draws;
  return (u, key, slot) => {
    const n = lengthValue(len, u, key, slot);
    return n <= 0 ? '' : prefixed(NONE, table, n, u, key, slot, d);
  };
}

const NONE: readonly number[] = [];

function numeric(arg: unknown): FastFaker | undefined {
  const opts = options(arg, 'length');
  if (!isObject(opts) || !onlyKeys(opts, ['length', 'allowLeadingZeros', 'exclude'])) return undefined;
  const len = lengthOf(opts.length);
  const { allowLeadingZeros = true } = opts;
  const exclude = excludeOf(opts.exclude);
  if (!len || !exclude || typeof allowLeadingZeros !== 'boolean') return undefined;
  const digits = DIGITS.filter((c) => !exclude.includes(c));
  if (digits.length === 0 || (digits.length === 1 && !allowLeadingZeros && digits[0] === '0')) return undefined; // faker throws
  const table = codesOf(digits);
  const d = len.draws;
  // Without leading zeros (and '0' not excluded) the first digit is drawn from the others, then n - 1 from all.
  if (allowLeadingZeros || exclude.includes('0')) {
    return (u, key, slot) => {
      const n = lengthValue(len, u, key, slot);
      return n <= 0 ? '' : prefixed(NONE, table, n, u, key, slot, d);
    };
  }
  const first = codesOf(digits.filter((c) => c !== '0'));
  return (u, key, slot) => {
    const n = lengthValue(len, u, key, slot);
    if (n <= 0) return '';
    const next = drawChars(first, 1, u, key, slot, d, 0);
    drawChars(table, n - 1, u, key, slot, next, 1);
    return fromScratch(n);
  };
}

function int(arg: unknown): FastFaker | undefined {
  const opts = options(arg, 'max');
  if (!isObject(opts) || !onlyKeys(opts, ['min', 'max', 'multipleOf'])) return undefined;
  const { min = 0, max = 2 ** 53 - 1, multipleOf = 1 } = opts;
  if (typeof min !== 'number' || typeof max !== 'number' || typeof multipleOf !== 'number') return undefined;
  const r = intRange(min, max, multipleOf);
  if (!r) return undefined;
  if (r.fixed) {
    const v = intOf(r, 0);
    return () => v;
  }
  const { lo, span, step } = r;
  return (u, key, slot) => Math.floor(u(key, slot, 0) * span + lo) * step;
}

function float(arg: unknown): FastFaker | undefined {
  const opts = options(arg, 'max');
  if (!isObject(opts) || !onlyKeys(opts, ['min', 'max', 'fractionDigits', 'multipleOf'])) return undefined;
  const { min = 0, max = 1, fractionDigits, multipleOf } = opts;
  if (typeof min !== 'number' || typeof max !== 'number' || max < min) return undefined;
  if (fractionDigits !== undefined && (multipleOf !== undefined || typeof fractionDigits !== 'number' || !Number.isSafeInteger(fractionDigits) || fractionDigits < 0)) {
    return undefined;
  }
  if (multipleOf !== undefined && typeof multipleOf !== 'number') return undefined;
  const step = fractionDigits === undefined ? multipleOf : 10 ** -fractionDigits;
  if (step === undefined) return (u, key, slot) => u(key, slot, 0) * (max - min) + min;
  if (!(step > 0)) return undefined;
  // On a grid: number.int over the scaled range, divided back by faker's own scale (to the last bit).
  const log = Math.log10(step);
  const scale = step < 1 && Number.isSafeInteger(log) ? 10 ** -log : 1 / step;
  const r = intRange(min * scale, max * scale, 1);
  if (!r) return undefined;
  if (r.fixed) {
    const v = intOf(r, 0) / scale;
    return () => v;
  }
  const { lo, span } = r;
  return (u, key, slot) => (Math.floor(u(key, slot, 0) * span + lo) * 1) / scale;
}

/** location.latitude / longitude: number.float with `precision` fraction digits (default 4) in ±90 / ±180. */
function coordinate(arg: unknown, limit: number): FastFaker | undefined {
  const opts = arg;
  if (!isObject(opts) || !onlyKeys(opts, ['min', 'max', 'precision'])) return undefined;
  const { max = limit, min = -limit, precision = 4 } = opts;
  return float({ min, max, fractionDigits: precision });
}

function boolean(arg: unknown): FastFaker | undefined {
  const opts = options(arg, 'probability');
  if (!isObject(opts) || !onlyKeys(opts, ['probability'])) return undefined;
  const { probability = 0.5 } = opts;
  if (typeof probability !== 'number') return undefined;
  if (probability <= 0) return () => false;
  if (probability >= 1) return () => true;
  // number.float() without options is `u * (1 - 0) + 0`: the draw itself.
  return (u, key, slot) => u(key, slot, 0) < probability;
}

/** Whether the fast path of `method(argv)` only yields strings JSON writes as they are (RowGenerator.plainStrings). */
export function fakerFastPathPlain(method: string, argv: readonly unknown[]): boolean {
  if (!fakerFastPath(method, argv)) return false;
  switch (method) {
    case 'string.hexadecimal': {
      const prefix = isObject(argv[0]) ? argv[0].prefix : undefined;
      return prefix === undefined || isPlainString(prefix); // the drawn part is hex digits
    }
    case 'string.alpha':
    case 'string.alphanumeric':
    case 'string.numeric':
      return true; // letters and digits only
    default:
      return false;
  }
}

/**
 * The fast path of `method` called with `argv` (the arguments faker.ts passes: none, or one value or options object),
 * or undefined when this method or argument shape has none.
 */
export function fakerFastPath(method: string, argv: readonly unknown[]): FastFaker | undefined {
  if (argv.length > 1) return undefined;
  const arg = argv.length === 0 ? {} : argv[0];
  switch (method) {
    case 'string.hexadecimal':
      return hexadecimal(arg);
    case 'string.alpha':
      return letters(false, arg);
    case 'string.alphanumeric':
      return letters(true, arg);
    case 'string.numeric':
      return numeric(arg);
    case 'number.int':
      return int(arg);
    case 'number.float':
      return float(arg);
    case 'location.latitude':
      return coordinate(arg, 90);
    case 'location.longitude':
      return coordinate(arg, 180);
    case 'datatype.boolean':
      return boolean(arg);
    default:
      return undefined;
  }
}
