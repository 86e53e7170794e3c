// What each field of a row holds, decided once per scenario from its definition — never from one batch's values.
// kserve-v2 tensor datatypes follow from it (src/codecs/tensor.ts), and the run's data check uses it.
import type { FieldArg, FieldSpec } from '../spec/types.js';
import type { ValueKind } from './types.js';

/** Synthetic fields: integer when every value is a whole number (int, seq, integer constants and their sums/products). */
export function syntheticKinds(fields: readonly { name: string; spec: FieldSpec }[]): Record<string, ValueKind> {
  const out: Record<string, ValueKind> = {};
  for (const f of fields) out[f.name] = kindOf(f.spec, out);
  return out;
}

function kindOf(spec: FieldSpec, known: Record<string, ValueKind>): ValueKind {
  switch (spec.kind) {
    case 'int':
    case 'seq':
      return 'integer';
    case 'float':
    case 'normal':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'uuid':
      return 'string';
    case 'const':
      return valueKind([spec.value]);
    case 'oneOf':
      return valueKind(spec.values);
    case 'faker':
      return spec.method === 'number.int' ? 'integer' : spec.method === 'datatype.boolean' ? 'boolean' : NUMERIC_FAKER.has(spec.method) ? 'number' : 'string';
    case 'plus':
    case 'minus':
    case 'times':
      return spec.args.every((a) => argIsInteger(a, known)) ? 'integer' : 'number';
  }
}

const NUMERIC_FAKER = new Set(['number.float', 'location.latitude', 'location.longitude']);

function argIsInteger(a: FieldArg, known: Record<string, ValueKind>): boolean {
  if ('value' in a) return Number.isInteger(a.value);
  if ('ref' in a) return known[a.ref] === 'integer' || known[a.ref] === 'boolean';
  const k = kindOf(a.expr, known);
  return k === 'integer' || k === 'boolean';
}

function valueKind(values: readonly (string | number | boolean)[]): ValueKind {
  if (values.every((v) => typeof v === 'number')) return values.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  if (values.every((v) => typeof v === 'string')) return 'string';
  return 'mixed';
}

