// Faker `args` checked against the method's declared parameters (FAKER_PARAMS), before faker ever sees them:
// `{ length: "abc" }` is `data.fields.device_id.args.length must be a number (got "abc")`, not a RangeError from
// inside faker on a load worker. The one check, used by the validator and by the row generator.
import { describeValue } from '../util/describe.js';
import { FAKER_PARAMS, type FakerArgType, type FakerMethod } from './faker-allowlist.js';

export interface FakerArgProblem {
  /** Path below `args` ([] = args itself). */
  path: (string | number)[];
  /** A predicate on that path. */
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const n = (x: number): string => x.toLocaleString('en-US');

/** Every problem with `args` for `method` (empty when faker may be called with them). */
export function checkFakerArgs(method: FakerMethod, args: unknown): FakerArgProblem[] {
  if (args === undefined) return [];
  const params = FAKER_PARAMS[method];
  const out: FakerArgProblem[] = [];
  if (!params.positional && !params.options) {
    return [{ path: [], message: `must be omitted: faker ${method} takes no arguments (got ${describeValue(args)})` }];
  }
  const one = (value: unknown, path: (string | number)[]) => {
    if (isObject(value) && params.options) return checkOptions(method, value, params.options, path, out);
    if (params.positional) return checkValue(value, params.positional, path, out);
    out.push({ path, message: `must be an options object with ${keys(params.options)} (got ${describeValue(value)})` });
  };
  if (Array.isArray(args)) {
    if (args.length > 1) out.push({ path: [], message: `must list at most one argument: faker ${method} takes one (a value or an options object) (got ${args.length})` });
    else if (args.length === 1) one(args[0], [0]);
  } else one(args, []);
  return out;
}

function checkOptions(method: FakerMethod, obj: Record<string, unknown>, options: Record<string, FakerArgType>, base: (string | number)[], out: FakerArgProblem[]): void {
  for (const [key, value] of Object.entries(obj)) {
    const type = Object.hasOwn(options, key) ? options[key] : undefined;
    if (!type) {
      out.push({ path: [...base, key], message: `is not an argument of faker ${method} (it takes ${keys(options)})` });
      continue;
    }
    checkValue(value, type, [...base, key], out);
  }
  const { min, max } = obj;
  if (typeof min === 'number' && typeof max === 'number' && min > max && 'min' in options && 'max' in options) {
    out.push({ path: [...base, 'min'], message: `must not exceed max (got min ${min}, max ${max})` });
  }
}

function checkValue(v: unknown, type: FakerArgType, path: (string | number)[], out: FakerArgProblem[]): void {
  const bad = (what: string) => out.push({ path, message: `must be ${what} (got ${describeValue(v)})` });
  switch (type.t) {
    case 'string':
      if (typeof v !== 'string') bad('a string');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad('true or false');
      return;
    case 'strings':
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) bad('a string or a list of strings');
      return;
    case 'date':
      if (!(typeof v === 'number' && Number.isFinite(v)) && !(typeof v === 'string' && Number.isFinite(Date.parse(v)))) {
        bad('a date like "2025-01-01T00:00:00Z" or epoch milliseconds');
      }
      return;
    case 'choice':
      if (!type.values.includes(v as string | number)) bad(`one of ${type.values.map((x) => JSON.stringify(x)).join(', ')}`);
      return;
    case 'number': {
      if (type.range && isObject(v)) {
        const keysOk = Object.keys(v).every((k) => k === 'min' || k === 'max') && 'min' in v && 'max' in v;
        if (!keysOk) return void bad(`${numberWhat(type)} or { min, max }`);
        checkValue(v.min, { ...type, range: false }, [...path, 'min'], out);
        checkValue(v.max, { ...type, range: false }, [...path, 'max'], out);
        if (typeof v.min === 'number' && typeof v.max === 'number' && v.min > v.max) {
          out.push({ path: [...path, 'min'], message: `must not exceed max (got min ${v.min}, max ${v.max})` });
        }
        return;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) return void bad(`a number${type.range ? ' or { min, max }' : ''}`);
      if (type.int && !Number.isInteger(v)) return void bad(numberWhat(type));
      if ((type.min !== undefined && v < type.min) || (type.max !== undefined && v > type.max)) bad(numberWhat(type));
      return;
    }
  }
}

function numberWhat(t: Extract<FakerArgType, { t: 'number' }>): string {
  const kind = t.int ? 'an integer' : 'a number';
  if (t.min === Number.MIN_VALUE) return `${kind} > 0`;
  if (t.min !== undefined && t.max !== undefined) return `${kind} from ${n(t.min)} to ${n(t.max)}`;
  if (t.max !== undefined) return `${kind} ≤ ${n(t.max)}`;
  if (t.min !== undefined) return `${kind} ≥ ${n(t.min)}`;
  return kind;
}

const keys = (o: Record<string, unknown> | undefined): string => Object.keys(o ?? {}).join(', ');
