// Faker fields by name from a closed allow-list. The method is found by walking faker's object with the two path
// segments of an allow-listed name, never by evaluating anything from the scenario.
//
// Determinism without faker.seed(): faker.seed() re-initialises a Mersenne Twister per call (~23k calls/s measured);
// instead one Faker instance draws from a Randomizer backed by the counter PRNG, re-pointed at (seed, row, slot)
// before each call (~460k calls/s). Each value is still a pure function of the row index.
// Methods whose value is a plain function of those draws (faker-fast.ts) skip faker on the hot path once their fast
// path has given faker's values for the field's first rows: the same draws, the same values, ~7–9× less CPU.
import type { Faker, Randomizer } from '@faker-js/faker';

// Only scenarios with faker fields load faker (every worker imports this module), and then only its English locale:
// the package's main entry imports all ~70 locales and builds a Faker instance for each (~160 ms of CPU per thread,
// against ~20 ms for `locale/en`, which holds the Faker class and the [en, base] definitions we draw from).
type EnModule = typeof import('@faker-js/faker/locale/en');
let english: EnModule['faker'] | undefined;
const loadFaker = (): { FakerClass: typeof Faker; definitions: Faker['rawDefinitions'] } => {
  english ??= (packageRequire()('@faker-js/faker/locale/en') as EnModule).faker;
  // locale/en exports an instance, not the class: its constructor is the Faker class, and its rawDefinitions are
  // en merged over base — what `locale: [en, base]` merges to (same values: test/data/faker.test.ts pins a digest).
  return { FakerClass: english.constructor as typeof Faker, definitions: english.rawDefinitions };
};
import { ModelwaveError } from '../errors.js';
import type { Cell } from './types.js';
import { FAKER_METHODS, type FakerMethod } from './faker-allowlist.js';
import { checkFakerArgs } from './faker-args.js';
import { formatPath } from '../util/describe.js';
import { packageRequire } from '../util/package-files.js';
import { createPrng, STREAM, uniformAt, type Prng, type RowKey } from './prng.js';
import { fakerFastPath, fakerFastPathPlain, type FastFaker } from './faker-fast.js';

export { FAKER_METHODS, type FakerMethod };

/** date.* methods are relative to this instant, not the wall clock, so the same seed gives the same dates. */
export const FAKER_REF_DATE = '2025-01-01T00:00:00.000Z';

/** Allow-listed methods whose values are numbers or booleans (usable in derived fields and label weights). */
const NUMERIC_METHODS: ReadonlySet<string> = new Set(['number.int', 'number.float', 'location.latitude', 'location.longitude']);
const BOOLEAN_METHODS: ReadonlySet<string> = new Set(['datatype.boolean']);

const allowed: ReadonlySet<string> = new Set(FAKER_METHODS);

export function isFakerMethod(name: string): name is FakerMethod {
  return allowed.has(name);
}

/** What a faker method yields, so derived fields and label weights can reject text at creation. */
export function fakerValueType(method: string): 'number' | 'boolean' | 'string' {
  if (NUMERIC_METHODS.has(method)) return 'number';
  if (BOOLEAN_METHODS.has(method)) return 'boolean';
  return 'string';
}

/**
 * The randomizer the shared Faker instance draws from, re-pointed before every call. Closures, not methods: faker
 * calls `next` detached from its object.
 */
interface CounterRandomizer extends Randomizer {
  point(prng: Prng, rowIndex: number, slot: number): void;
}

function counterRandomizer(): CounterRandomizer {
  let prng: Prng = createPrng(0, STREAM.faker);
  const key: RowKey = { a: 0, b: 0 };
  let slot = 0;
  let draw = 0;
  return {
    point(p, rowIndex, s) {
      prng = p;
      prng.setRowKey(key, rowIndex);
      slot = s;
      draw = 0;
    },
    // Past 4096 draws a call would reach the next slot's draws: correlated, never wrong; no allow-listed method gets near.
    next: () => prng.uniform(key, slot, draw++),
    seed: () => {
      // Seeding is positional (point()); faker's own seed() has no meaning here.
    },
  };
}

let shared: { faker: Faker; randomizer: CounterRandomizer } | undefined;
function instance(): { faker: Faker; randomizer: CounterRandomizer } {
  if (!shared) {
    const randomizer = counterRandomizer();
    const { FakerClass, definitions } = loadFaker();
    const faker = new FakerClass({ locale: definitions, randomizer });
    faker.setDefaultRefDate(FAKER_REF_DATE);
    shared = { faker, randomizer };
  }
  return shared;
}

type FakerFn = (...args: unknown[]) => unknown;

function resolve(faker: Faker, method: FakerMethod): FakerFn {
  const [moduleName, fnName] = method.split('.');
  const mod: unknown = Reflect.get(faker, moduleName);
  const fn: unknown = typeof mod === 'object' && mod !== null ? Reflect.get(mod, fnName) : undefined;
  if (typeof fn !== 'function') {
    throw new ModelwaveError('MW_INTERNAL', `faker method ${method} is allow-listed but missing from @faker-js/faker`);
  }
  return (...args: unknown[]) => Reflect.apply(fn, mod, args) as unknown;
}

function toCell(v: unknown): Cell {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? '';
}

/**
 * A faker field: `(rowIndex) => value`, a pure function of (seed, rowIndex, slot). `path` names the field in errors
 * (e.g. `data.fields.device_id`). Throws MW_SCENARIO_INVALID for a method outside FAKER_METHODS, arguments of the wrong
 * type (checkFakerArgs) or arguments faker rejects (tried on the first 64 rows at creation; a refusal on a later row throws the same error, with the row).
 */
export function createFakerField(
  method: string,
  args: Record<string, unknown> | unknown[] | undefined,
  seed: number,
  slot: number,
  path: string,
): (rowIndex: number) => Cell {
  if (!isFakerMethod(method)) {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `${path}: faker method \`${method}\` is not allowed`, [
      `${path}: use one of: ${FAKER_METHODS.join(', ')}`,
    ]);
  }
  const problems = checkFakerArgs(method, args);
  if (problems.length > 0) {
    const [first, ...rest] = problems.map((p) => `${path}.${formatPath(['args', ...p.path])} ${p.message}`);
    throw new ModelwaveError('MW_SCENARIO_INVALID', first!, rest);
  }
  const { faker, randomizer } = instance();
  const fn = resolve(faker, method);
  const argv: unknown[] = args === undefined ? [] : Array.isArray(args) ? args : [args];
  const prng = createPrng(seed, STREAM.faker);
  // Faker refuses some argument sets only for some draws (a length range where one length has no valid value):
  // a refusal on any row is the scenario's error, named by its field (exit 2), never a codeless worker crash.
  const call = (rowIndex: number): Cell => {
    randomizer.point(prng, rowIndex, slot);
    try {
      return toCell(fn(...argv));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const where = rowIndex === 0 ? '' : ` on row ${rowIndex}`;
      throw new ModelwaveError('MW_SCENARIO_INVALID', `${path}: faker ${method} rejected its args${where}: ${why}`, rowIndex === 0 ? [] : [
        `fix: change ${path}.args so that every value they allow can be generated (faker refused row ${rowIndex} of this seed)`,
      ], { cause: err });
    }
  };
  // Tried on the first rows at creation (so `validate` and the start of a run catch a refusal that only some draws
  // hit); the same values are what a fast path must reproduce.
  const first = Array.from({ length: CHECK_ROWS }, (_, r) => call(r));
  const fast = fakerFastPath(method, argv);
  if (!fast) return call;
  const fastCall = seededFastCall(fast, prng, slot);
  if (!agreesWithFaker(fastCall, first)) return call;
  fastFields.set(fastCall, fakerFastPathPlain(method, argv));
  return fastCall;
}

/** Fields on their fast path → whether their values are plain strings (RowGenerator.plainStrings). */
const fastFields = new WeakMap<(rowIndex: number) => Cell, boolean>();

/** Whether a field from createFakerField runs on its fast path (faker-fast.ts) rather than calling faker per row. */
export const isFastFakerField = (field: (rowIndex: number) => Cell): boolean => fastFields.has(field);

/** Whether every value of a field from createFakerField is a string JSON writes as it is (a fast path's letters). */
export const fakerFieldIsPlain = (field: (rowIndex: number) => Cell): boolean => fastFields.get(field) === true;

/**
 * Rows a faker field is generated for by faker when it is created: a refusal of its args on any of them is found
 * before the run, and a fast path must reproduce all of them before the field uses it (a guard against another faker
 * version).
 */
const CHECK_ROWS = 64;

/** A fast path reading the same draws faker's randomizer would give for (seed, row, slot). */
function seededFastCall(fast: FastFaker, prng: Prng, slot: number): (rowIndex: number) => Cell {
  const key: RowKey = { a: 0, b: 0 };
  return (rowIndex) => fast(uniformAt, prng.setRowKey(key, rowIndex), slot);
}

/** Whether the fast path gives faker's values (`want[r]`, row r) for every checked row. */
function agreesWithFaker(fast: (rowIndex: number) => Cell, want: readonly Cell[]): boolean {
  return want.every((w, r) => Object.is(fast(r), w));
}
