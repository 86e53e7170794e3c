// The faker fast paths (src/data/faker-fast.ts) against faker itself: for the same draws, the same value, from the
// same number of draws, over thousands of seeds, rows and argument forms, hand-picked and random. faker is called
// through a Faker instance of its own here (not faker.ts), with a randomizer that counts its draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Faker, base, en, type Randomizer } from '@faker-js/faker';
import { fakerFastPath, type Uniform } from '../../src/data/faker-fast.js';
import { checkFakerArgs } from '../../src/data/faker-args.js';
import { createFakerField, FAKER_REF_DATE, isFastFakerField, type FakerMethod } from '../../src/data/faker.js';
import { createPrng, STREAM, type RowKey } from '../../src/data/prng.js';
import type { Cell } from '../../src/data/types.js';

type Args = Record<string, unknown> | unknown[] | undefined;

// The stream faker.ts points its randomizer at: (seed, STREAM.faker), the row's key, the field's slot.
let current = createPrng(0, STREAM.faker);
let key: RowKey = { a: 0, b: 0 };
let slot = 0;
let drawn = 0;
const randomizer: Randomizer = { next: () => current.uniform(key, slot, drawn++), seed: () => {} };
const faker = new Faker({ locale: [en, base], randomizer });
faker.setDefaultRefDate(FAKER_REF_DATE);

function viaFaker(method: string, argv: unknown[]): Cell | Error {
  const [mod, fn] = method.split('.');
  drawn = 0;
  try {
    const m = Reflect.get(faker, mod!) as Record<string, (...a: unknown[]) => Cell>;
    return m[fn!]!(...argv);
  } catch (err) {
    return err as Error;
  }
}

/** One (seed, row, slot): both values and what each read. */
function compare(method: string, args: Args, seed: number, row: number, s: number): { ok: boolean; why: string } | 'no-fast-path' {
  const argv = args === undefined ? [] : Array.isArray(args) ? args : [args];
  current = createPrng(seed, STREAM.faker);
  key = current.rowKey(row);
  slot = s;
  const want = viaFaker(method, argv);
  const fakerDraws = drawn;
  const fast = fakerFastPath(method, argv);
  if (!fast) return 'no-fast-path';
  const read: number[] = [];
  const u: Uniform = (k, sl, i) => {
    read.push(i);
    return current.uniform(k, sl, i);
  };
  if (want instanceof Error) return { ok: false, why: `faker threw ${want.message} but a fast path exists` };
  const got = fast(u, key, slot);
  const order = read.every((d, i) => d === i) && read.length === fakerDraws;
  const ok = Object.is(got, want) && order;
  return { ok, why: `${method}(${JSON.stringify(args)}) seed ${seed} row ${row} slot ${s}: fast ${JSON.stringify(got)} [draws ${read.join(',')}], faker ${JSON.stringify(want)} [${fakerDraws} draws]` };
}

/** Hand-picked forms: every one has a fast path. */
const FORMS: [FakerMethod, Args][] = [
  ['string.hexadecimal', undefined],
  ['string.hexadecimal', { length: 13 }],
  ['string.hexadecimal', { length: 13, casing: 'lower', prefix: '' }],
  ['string.hexadecimal', { length: 40, casing: 'upper', prefix: '#' }],
  ['string.hexadecimal', { length: { min: 0, max: 24 } }],
  ['string.hexadecimal', { length: { min: 7, max: 7 } }],
  ['string.hexadecimal', { length: 0 }],
  ['string.alpha', undefined],
  ['string.alpha', [10]],
  ['string.alpha', { length: 8, casing: 'upper', exclude: ['A', 'E'] }],
  ['string.alpha', { length: { min: 1, max: 30 }, casing: 'lower', exclude: 'aeiou' }],
  ['string.alpha', { length: 5, exclude: [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY'] }],
  ['string.alpha', [5000]], // longer than one String.fromCharCode.apply (2,048 units)
  ['string.hexadecimal', { length: { min: 2040, max: 2060 }, prefix: 'ffff' }], // around it
  ['string.alphanumeric', [12]],
  ['string.alphanumeric', { length: 12, casing: 'lower' }],
  ['string.alphanumeric', { length: 16, casing: 'upper', exclude: ['0', 'O', 'I', '1'] }],
  ['string.numeric', undefined],
  ['string.numeric', [4]],
  ['string.numeric', { length: 6, allowLeadingZeros: false }],
  ['string.numeric', { length: 9, allowLeadingZeros: false, exclude: ['0'] }],
  ['string.numeric', { length: 9, allowLeadingZeros: false, exclude: '12345678' }],
  ['string.numeric', { length: { min: 0, max: 5 }, allowLeadingZeros: false }],
  ['string.numeric', { length: 3, exclude: [...'012345678'] }],
  ['number.int', undefined],
  ['number.int', [50]],
  ['number.int', { min: 1, max: 100 }],
  ['number.int', { min: -1000, max: 1000, multipleOf: 7 }],
  ['number.int', { min: 3, max: 4, multipleOf: 4 }],
  ['number.float', undefined],
  ['number.float', [100]],
  ['number.float', { min: -5, max: 5 }],
  ['number.float', { min: 0, max: 10, fractionDigits: 2 }],
  ['number.float', { min: 0.1, max: 0.35, multipleOf: 0.05 }],
  ['number.float', { min: 0, max: 1000, multipleOf: 3 }],
  ['location.latitude', undefined],
  ['location.longitude', { precision: 7 }],
  ['location.latitude', { min: 10, max: 20, precision: 0 }],
  ['datatype.boolean', undefined],
  ['datatype.boolean', [0.25]],
  ['datatype.boolean', { probability: 0.9 }],
  ['datatype.boolean', { probability: 0 }],
  ['datatype.boolean', { probability: 1 }],
];

/** A small seeded generator for the random forms (Math.random would make a failure unrepeatable). */
function rng(seed: number): () => number {
  const p = createPrng(seed, 0x5eed);
  let i = 0;
  return () => {
    const n = i++;
    return p.uniform(p.rowKey(Math.floor(n / 4096)), 1, n % 4096);
  };
}

function randomForm(r: () => number): [FakerMethod, Args] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const maybe = <T>(v: T): T | undefined => (r() < 0.5 ? v : undefined);
  const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const length = () => (r() < 0.6 ? int(0, 30) : ((a, b) => ({ min: Math.min(a, b), max: Math.max(a, b) }))(int(0, 30), int(0, 30)));
  const some = (chars: string) => [...chars].filter(() => r() < 0.3);
  switch (int(0, 8)) {
    case 0:
      return ['string.hexadecimal', clean({ length: maybe(length()), casing: maybe(pick(['upper', 'lower', 'mixed'])), prefix: maybe(pick(['', '#', '0x', 'h-'])) })];
    case 1:
    case 2: {
      const method = pick(['string.alpha', 'string.alphanumeric'] as const);
      if (r() < 0.2) return [method, [int(0, 30)]];
      const exclude = maybe(r() < 0.5 ? some('0123456789abcdefXYZ').join('') : some('0123456789abcdefghijklmnopqrstuvwxyzABC'));
      return [method, clean({ length: maybe(length()), casing: maybe(pick(['upper', 'lower', 'mixed'])), exclude })];
    }
    case 3:
      if (r() < 0.2) return ['string.numeric', [int(0, 30)]];
      return ['string.numeric', clean({ length: maybe(length()), allowLeadingZeros: maybe(r() < 0.5), exclude: maybe(some('0123456789')) })];
    case 4: {
      if (r() < 0.2) return ['number.int', [int(0, 1e9)]];
      const a = int(-1e6, 1e6);
      const b = r() < 0.1 ? 2 ** 53 - 1 : a + int(0, 2e6);
      return ['number.int', clean({ min: maybe(a), max: maybe(b), multipleOf: maybe(int(1, 12)) })];
    }
    case 5: {
      const a = (r() - 0.5) * 1000;
      const b = a + r() * 1000;
      const grid = pick([{}, { fractionDigits: int(0, 6) }, { multipleOf: pick([0.5, 0.25, 0.1, 0.01, 0.001, 3, 2.5]) }]);
      return ['number.float', clean({ min: maybe(a), max: maybe(b), ...grid })];
    }
    case 6: {
      const [method, limit] = pick([['location.latitude', 90], ['location.longitude', 180]] as const);
      const a = (r() - 0.5) * limit;
      return [method, clean({ min: maybe(a), max: maybe(a + r() * (limit - a)), precision: maybe(int(0, 10)) })];
    }
    default:
      return ['datatype.boolean', r() < 0.3 ? [r() * 1.4 - 0.2] : clean({ probability: maybe(r() * 1.4 - 0.2) })];
  }
}

const CASES_PER_FORM = 40;

/** Compares one form over CASES_PER_FORM (seed, row, slot); false when it has no fast path (faker must then fail). */
function checkForm(method: FakerMethod, args: Args, r: () => number, mustHaveFastPath: boolean): boolean {
  for (let c = 0; c < CASES_PER_FORM; c++) {
    const seed = c === 0 ? 42 : Math.floor(r() * 2 ** 40) * (r() < 0.1 ? -1 : 1);
    const row = c < 4 ? c : r() < 0.2 ? 2 ** 32 + Math.floor(r() * 1e6) : Math.floor(r() * 1e7);
    const s = Math.floor(r() * 0x100000);
    const res = compare(method, args, seed, row, s);
    if (res === 'no-fast-path') {
      // Only forms faker itself fails on (for some row) are left to faker.
      assert.ok(!mustHaveFastPath, `${method}(${JSON.stringify(args)}) has no fast path`);
      const argv = args === undefined ? [] : Array.isArray(args) ? args : [args];
      let threw = false;
      for (let i = 0; i < 64 && !threw; i++) {
        key = current.rowKey(i);
        threw = viaFaker(method, argv) instanceof Error;
      }
      assert.ok(threw, `${method}(${JSON.stringify(args)}): no fast path, yet faker accepts it`);
      return false;
    }
    assert.ok(res.ok, res.why);
  }
  return true;
}

test('every hand-picked argument form: fast path = faker, value and draws, for 40 seeds × rows × slots each', () => {
  const r = rng(1);
  for (const [method, args] of FORMS) checkForm(method, args, r, true);
});

test('1,500 random argument forms (valid by faker-args): fast path = faker wherever faker gives a value', () => {
  const r = rng(2);
  let forms = 0;
  let fast = 0;
  while (forms < 1500) {
    const [method, args] = randomForm(r);
    if (checkFakerArgs(method, args).length > 0) continue; // the scenario would be rejected before faker
    if (checkForm(method, args, r, false)) fast++;
    forms++;
  }
  assert.ok(fast >= 1350, `only ${fast} of ${forms} random forms had a fast path`);
});

test('scenario faker fields use the fast path for these methods, and only these', () => {
  const field = (method: string, args?: Args) => createFakerField(method, args, 42, 7, `data.fields.x`);
  assert.ok(isFastFakerField(field('string.hexadecimal', { length: 13 })), "telco.yaml's device_id");
  assert.ok(isFastFakerField(field('number.int', { min: 1, max: 10 })));
  assert.ok(isFastFakerField(field('datatype.boolean')));
  assert.equal(isFastFakerField(field('person.firstName')), false, 'locale data: faker');
  assert.equal(isFastFakerField(field('string.uuid')), false);
});
