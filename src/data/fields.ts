// Field specs compiled once into evaluators. Each evaluator reads only the row's key, index, drift progress and the
// values of earlier fields, so a row is a pure function of (seed, row index). Numeric kinds never touch faker.
import { ModelwaveError } from '../errors.js';
import type { FieldArg, FieldSpec } from '../spec/types.js';
import { createFakerField, fakerFieldIsPlain, fakerValueType } from './faker.js';
import { boxMuller, type Prng, type RowKey } from './prng.js';
import { isPlainString, type Cell } from './types.js';

export interface FieldContext {
  key: RowKey;
  rowIndex: number;
  /** Drift progress of the row's request, 0..1. */
  progress: number;
  /** Values of the fields evaluated so far in this row, by field index. */
  values: Cell[];
}

export type ValueType = 'number' | 'boolean' | 'string' | 'mixed';

export interface CompiledField {
  name: string;
  type: ValueType;
  eval: (ctx: FieldContext) => Cell;
  /** Every value is a string JSON writes as it is (RowGenerator.plainStrings). */
  plain?: boolean;
}

const invalid = (path: string, msg: string): ModelwaveError => new ModelwaveError('MW_SCENARIO_INVALID', `${path}: ${msg}`);

/** Where a drift is in force: [start, end] in progress (defaults 0 and 1); start == end is a step. */
export function driftWindow(drift: object): { start: number; end: number } {
  const start = 'start' in drift && typeof drift.start === 'number' ? drift.start : 0;
  const end = 'end' in drift && typeof drift.end === 'number' ? drift.end : 1;
  return { start, end };
}

/** Fraction of the drift applied at progress p. */
export function driftFraction(p: number, start: number, end: number): number {
  if (end <= start) return p >= start ? 1 : 0;
  const t = (p - start) / (end - start);
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

function cumulative(weights: number[], n: number, path: string): Float64Array {
  if (weights.length !== n) throw invalid(path, `has ${weights.length} weights for ${n} values; give one weight per value`);
  let sum = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw invalid(path, `weights must be non-negative numbers (got ${w})`);
    sum += w;
  }
  if (sum <= 0) throw invalid(path, 'weights must not all be zero');
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cum[i] = acc += weights[i] / sum;
  cum[n - 1] = 1; // rounding must never leave u in [acc, 1) unmatched
  return cum;
}

/** First index whose cumulative threshold exceeds u; thresholds may drift between two tables. */
function pick(u: number, a: Float64Array, b: Float64Array | undefined, t: number): number {
  const n = a.length;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = b === undefined ? a[mid] : a[mid] + (b[mid] - a[mid]) * t;
    if (u < c) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex32 = (x: number): string => HEX[x >>> 24] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];

/** RFC 4122 version-4 layout from 128 PRNG bits. */
function uuidV4(w0: number, w1: number, w2: number, w3: number): string {
  const a = hex32(w0);
  const b = hex32(((w1 & 0xffff0fff) | 0x00004000) >>> 0);
  const c = hex32(((w2 & 0x3fffffff) | 0x80000000) >>> 0);
  const d = hex32(w3);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

function valueTypeOf(values: (string | number | boolean)[]): ValueType {
  const types = new Set(values.map((v) => typeof v));
  if (types.size !== 1) return 'mixed';
  const [t] = types;
  return t === 'number' ? 'number' : t === 'boolean' ? 'boolean' : 'string';
}

type NumEval = (ctx: FieldContext) => number;

/** FNV-1a of a field's path: its draw slot, so adding or removing another field never changes this one's values. */
function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const SLOT_BITS = 0xfffff; // prng slots are 20 bits wide

class Compiler {
  private readonly slots = new Set<number>();
  private readonly index = new Map<string, { i: number; type: ValueType }>();
  constructor(
    private readonly prng: Prng,
    private readonly seed: number,
  ) {}

  field(name: string, spec: FieldSpec, i: number): CompiledField {
    if (this.index.has(name)) throw invalid(`data.fields.${name}`, 'is defined twice');
    const c = this.spec(spec, `data.fields.${name}`);
    this.index.set(name, { i, type: c.type });
    return { name, ...c };
  }

  private spec(spec: FieldSpec, path: string): Omit<CompiledField, 'name'> {
    let slot = pathHash(path) & SLOT_BITS;
    // Two paths hashing to one slot would draw identical numbers; probe to the next free one.
    while (this.slots.has(slot)) slot = (slot + 1) & SLOT_BITS;
    this.slots.add(slot);
    const { prng } = this;
    const u = (ctx: FieldContext, draw: number): number => prng.uniform(ctx.key, slot, draw);
    switch (spec.kind) {
      case 'int':
      case 'float': {
        const { min, max, drift, kind } = spec;
        if (!(min <= max)) throw invalid(path, `min must not exceed max (got [${min}, ${max}])`);
        const w = drift ? driftWindow(drift) : undefined;
        const min1 = drift?.min ?? min;
        const max1 = drift?.max ?? max;
        const bounds = (p: number): [number, number] => {
          const t = w ? driftFraction(p, w.start, w.end) : 0;
          return [lerp(min, min1, t), lerp(max, max1, t)];
        };
        if (kind === 'int') {
          if (!w) {
            const span = max - min + 1;
            return { type: 'number', eval: (ctx) => min + Math.floor(u(ctx, 0) * span) };
          }
          return {
            type: 'number',
            eval: (ctx) => {
              const [lo, hi] = bounds(ctx.progress);
              const a = Math.round(lo);
              return a + Math.floor(u(ctx, 0) * (Math.max(a, Math.round(hi)) - a + 1));
            },
          };
        }
        if (!w) return { type: 'number', eval: (ctx) => min + u(ctx, 0) * (max - min) };
        return {
          type: 'number',
          eval: (ctx) => {
            const [lo, hi] = bounds(ctx.progress);
            return lo + u(ctx, 0) * (hi - lo);
          },
        };
      }
      case 'normal': {
        const { mean, sd, drift } = spec;
        if (!(sd >= 0)) throw invalid(path, `sd must be non-negative (got ${sd})`);
        if (!drift) return { type: 'number', eval: (ctx) => mean + sd * boxMuller(u(ctx, 0), u(ctx, 1)) };
        const { start, end } = driftWindow(drift);
        const mean1 = drift.mean ?? mean;
        const sd1 = drift.sd ?? sd;
        return {
          type: 'number',
          eval: (ctx) => {
            const t = driftFraction(ctx.progress, start, end);
            return lerp(mean, mean1, t) + lerp(sd, sd1, t) * boxMuller(u(ctx, 0), u(ctx, 1));
          },
        };
      }
      case 'oneOf': {
        const { values, drift } = spec;
        if (values.length === 0) throw invalid(path, 'oneOf needs at least one value');
        const cumA = cumulative(spec.weights ?? values.map(() => 1), values.length, `${path}.weights`);
        const cumB = drift ? cumulative(drift.weights, values.length, `${path}.drift.weights`) : undefined;
        const type = valueTypeOf(values);
        const plain = values.every(isPlainString);
        if (!drift) return { type, plain, eval: (ctx) => values[pick(u(ctx, 0), cumA, undefined, 0)] };
        const { start, end } = driftWindow(drift);
        return { type, plain, eval: (ctx) => values[pick(u(ctx, 0), cumA, cumB, driftFraction(ctx.progress, start, end))] };
      }
      case 'bool': {
        const { p, drift } = spec;
        if (!drift) return { type: 'boolean', eval: (ctx) => u(ctx, 0) < p };
        const { start, end } = driftWindow(drift);
        return { type: 'boolean', eval: (ctx) => u(ctx, 0) < lerp(p, drift.p, driftFraction(ctx.progress, start, end)) };
      }
      case 'uuid':
        return {
          type: 'string',
          plain: true,
          eval: (ctx) =>
            uuidV4(prng.uint32(ctx.key, slot, 0), prng.uint32(ctx.key, slot, 1), prng.uint32(ctx.key, slot, 2), prng.uint32(ctx.key, slot, 3)),
        };
      case 'const': {
        const { value } = spec;
        return { type: valueTypeOf([value]), plain: isPlainString(value), eval: () => value };
      }
      case 'seq':
        return { type: 'number', eval: (ctx) => ctx.rowIndex };
      case 'plus':
      case 'minus':
      case 'times':
        return { type: 'number', eval: this.arith(spec.kind, spec.args, path) };
      case 'faker': {
        const call = createFakerField(spec.method, spec.args, this.seed, slot, path);
        return { type: fakerValueType(spec.method), plain: fakerFieldIsPlain(call), eval: (ctx) => call(ctx.rowIndex) };
      }
    }
  }

  private arith(kind: 'plus' | 'minus' | 'times', args: FieldArg[], path: string): NumEval {
    if (args.length === 0) throw invalid(path, `${kind} needs at least one argument`);
    const evals = args.map((a, j) => this.arg(a, `${path}.${kind}[${j}]`));
    if (evals.length === 2) {
      const [a, b] = evals;
      if (kind === 'plus') return (ctx) => a(ctx) + b(ctx);
      if (kind === 'minus') return (ctx) => a(ctx) - b(ctx);
      return (ctx) => a(ctx) * b(ctx);
    }
    const [first, ...rest] = evals;
    return (ctx) => {
      let acc = first(ctx);
      for (const e of rest) {
        const v = e(ctx);
        acc = kind === 'plus' ? acc + v : kind === 'minus' ? acc - v : acc * v;
      }
      return acc;
    };
  }

  private arg(arg: FieldArg, path: string): NumEval {
    if ('value' in arg) {
      const v = arg.value;
      return () => v;
    }
    if ('ref' in arg) {
      const ref = this.index.get(arg.ref);
      if (!ref) throw invalid(path, `\`${arg.ref}\` is not an earlier field; a derived field may only refer to fields above it`);
      if (ref.type === 'number') return (ctx) => ctx.values[ref.i] as number;
      if (ref.type === 'boolean') return (ctx) => (ctx.values[ref.i] ? 1 : 0);
      throw invalid(path, `\`${arg.ref}\` is not numeric (it yields ${ref.type === 'mixed' ? 'mixed' : 'string'} values)`);
    }
    const c = this.spec(arg.expr, path);
    if (c.type === 'number') return c.eval as NumEval;
    if (c.type === 'boolean') return (ctx) => (c.eval(ctx) ? 1 : 0);
    throw invalid(path, `nested expression must be numeric (it yields ${c.type} values)`);
  }
}

/** Compiles the scenario's ordered fields; throws MW_SCENARIO_INVALID naming `data.fields.<name>` on a bad spec. */
export function compileFields(fields: { name: string; spec: FieldSpec }[], prng: Prng, seed: number): CompiledField[] {
  const compiler = new Compiler(prng, seed);
  return fields.map((f, i) => compiler.field(f.name, f.spec, i));
}
