// Faker args against each method's declared parameters (FAKER_PARAMS, from @faker-js/faker 10's type declarations):
// every declared argument, with a value of its type, is one faker accepts; a wrong type, an unknown name, an
// oversized length or arguments to a method that takes none are refused with the path below `args`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakerField } from '../../src/data/faker.js';
import { FAKER_METHODS, FAKER_PARAMS, type FakerArgType, type FakerMethod } from '../../src/data/faker-allowlist.js';
import { checkFakerArgs } from '../../src/data/faker-args.js';
import { ModelwaveError } from '../../src/errors.js';

/** A valid value of a declared type (the upper end of a bounded number, to exercise the bound). */
function sample(t: FakerArgType): unknown {
  switch (t.t) {
    case 'string':
      return 'x';
    case 'boolean':
      return true;
    case 'strings':
      return ['a'];
    case 'date':
      return '2024-06-01T00:00:00Z';
    case 'choice':
      return t.values[t.values.length - 1];
    case 'number':
      if (t.max !== undefined && t.max <= 100) return t.max;
      return t.int ? 8 : 2.5;
  }
}

for (const method of FAKER_METHODS) {
  test(`faker ${method}: every declared argument, with a valid value, is accepted by the check and by faker`, () => {
    const p = FAKER_PARAMS[method];
    const tries: unknown[] = [];
    if (p.positional) tries.push([sample(p.positional)]);
    for (const [key, type] of Object.entries(p.options ?? {})) {
      // min/max pairs must stay ordered, and faker wants both for a birthdate mode.
      const v = sample(type);
      if (key === 'min' || key === 'max') tries.push({ min: typeof v === 'number' ? Math.min(v, 1) : v, max: v });
      else if (method === 'date.birthdate' && key === 'mode') tries.push({ mode: 'age', min: 18, max: 65 });
      else if (key === 'cidrBlock') tries.push({ cidrBlock: '10.0.0.0/8' }); // a string faker parses further itself
      else tries.push({ [key]: v });
    }
    if (tries.length === 0) {
      assert.deepEqual(checkFakerArgs(method, undefined), []);
      assert.match(checkFakerArgs(method, { length: 1 })[0]?.message ?? '', /^must be omitted: faker .* takes no arguments/);
      return;
    }
    for (const args of tries) {
      assert.deepEqual(checkFakerArgs(method, args), [], JSON.stringify(args));
      const f = createFakerField(method, args as Record<string, unknown>, 1, 0, 'data.fields.f');
      for (let i = 0; i < 5; i++) f(i);
    }
  });
}

// Table: method, args → [path below args, message] of the first problem.
const WRONG: [FakerMethod, unknown, (string | number)[], RegExp][] = [
  // The telco.yaml typo that passed validate and hung the run.
  ['string.hexadecimal', { length: 'abc' }, ['length'], /^must be a number or \{ min, max \} \(got "abc"\)$/],
  ['string.hexadecimal', { lenght: 13 }, ['lenght'], /^is not an argument of faker string\.hexadecimal \(it takes length, casing, prefix\)$/],
  ['string.hexadecimal', 13, [], /^must be an options object with length, casing, prefix \(got 13\)$/],
  ['string.alpha', { length: 1e9 }, ['length'], /^must be an integer from 0 to 10,000 \(got 1000000000\)$/],
  ['string.alpha', { length: { min: 5, max: 2 } }, ['length', 'min'], /^must not exceed max \(got min 5, max 2\)$/],
  ['string.alpha', { casing: 'title' }, ['casing'], /^must be one of "upper", "lower", "mixed" \(got "title"\)$/],
  ['number.int', { min: 10, max: 1 }, ['min'], /^must not exceed max/],
  ['number.int', ['ten'], [0], /^must be a number \(got "ten"\)$/],
  ['number.float', { fractionDigits: 2.5 }, ['fractionDigits'], /^must be an integer from 0 to 15 \(got 2\.5\)$/],
  ['lorem.words', [5000], [0], /^must be an integer from 0 to 1,000 \(got 5000\)$/],
  ['datatype.boolean', [2], [0], /^must be a number from 0 to 1 \(got 2\)$/],
  ['date.past', { refDate: 'yesterday' }, ['refDate'], /^must be a date like/],
  ['date.past', { years: 1e9 }, ['years'], /^must be a number from 0 to 10,000 \(got 1000000000\)$/],
  ['person.jobTitle', { x: 1 }, [], /^must be omitted: faker person\.jobTitle takes no arguments/],
  ['string.uuid', [{ version: 5 }], [0, 'version'], /^must be one of 4, 7 \(got 5\)$/],
  ['internet.email', [{}, {}], [], /^must list at most one argument/],
];
for (const [method, args, at, message] of WRONG) {
  test(`faker ${method} args ${JSON.stringify(args)}: refused at ${JSON.stringify(at)}`, () => {
    const [first] = checkFakerArgs(method, args);
    assert.ok(first, 'a problem');
    assert.deepEqual(first.path, at);
    assert.match(first.message, message);
    // The row generator refuses them the same way, before faker is called.
    assert.throws(
      () => createFakerField(method, args as Record<string, unknown>, 1, 0, 'data.fields.f'),
      (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_SCENARIO_INVALID' && e.message.startsWith('data.fields.f.args'),
    );
  });
}
