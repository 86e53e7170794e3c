// data.fields / data.source / label: cross-key rules and the normalized DataSpec and LabelSpec.
import { extname, resolve } from 'node:path';
import { checkFakerArgs } from '../data/faker-args.js';
import { readSourceHeader } from '../data/source.js';
import type { Checker } from './check.js';
import { defaultPositive } from '../spec/classes.js';
import { describeValue, didYouMean, type Path } from './errors.js';
import { LABEL_MODELS, type RawData, type RawFieldSpec, type RawLabel, type RawOperand } from './schema.js';
import type { ColumnType, CsvSource, DataSpec, FieldArg, FieldSpec, LabelDrift, LabelModel, LabelSpec, LabelValue } from '../spec/types.js';

/** What later checks (label weights, echo targets) need to know about the data. */
export interface DataInfo {
  /** Field or column names; undefined when a source file's header could not be read. */
  names?: string[];
  /** Names known to hold numbers (synthetic fields only; booleans count, as 1/0). */
  numeric: Set<string>;
  /** Names known to hold booleans (synthetic fields only). */
  boolean: Set<string>;
  /** Replay: the feature columns named by data.source.columns, and the declared column types. */
  columns?: string[];
  types?: Record<string, ColumnType>;
  synthetic: boolean;
  hasFieldDrift: boolean;
  /** The label column named by data.source.label. */
  sourceLabel?: string;
}

const NUMERIC_FAKER = new Set(['number.int', 'number.float', 'location.latitude', 'location.longitude']);

export function normalizeData(raw: RawData, chk: Checker, dir: string): { data: DataSpec; info: DataInfo } {
  const base: Path = ['data'];
  const info: DataInfo = { numeric: new Set(), boolean: new Set(), synthetic: true, hasFieldDrift: false };
  const fields: DataSpec['fields'] = [];
  const both = raw.fields !== undefined && raw.source !== undefined;
  if (both) {
    chk.add(['data', 'source'], 'cannot be combined with data.fields: replay a file or generate rows, not both');
  } else if (raw.fields === undefined && raw.source === undefined) {
    chk.add(base, 'needs `fields` (synthetic rows) or `source` (a CSV/JSONL file to replay)');
  }
  if (raw.fields && chk.readable(['data', 'fields'])) {
    const defined: string[] = [];
    const all = Object.keys(raw.fields);
    if (all.length === 0) chk.add(['data', 'fields'], 'must define at least one field, e.g. { x: { int: [1, 10] } }');
    for (const name of all) {
      const path: Path = ['data', 'fields', name];
      if (!chk.ok(path)) {
        // Reported by the schema; count it as a numeric field so references to it do not cascade.
        info.numeric.add(name);
        defined.push(name);
        continue;
      }
      if (/^\d+$/.test(name)) chk.add(path, 'must not be a plain integer (JSON objects would reorder it); rename the field', 'key');
      const spec = normalizeField(raw.fields[name]!, path, { defined, all, info, chk });
      if (spec) {
        fields.push({ name, spec });
        if (isNumeric(spec)) info.numeric.add(name);
        if (isBoolean(spec)) info.boolean.add(name);
      }
      defined.push(name);
    }
    info.names = all;
  }
  let source: CsvSource | undefined;
  if (raw.source !== undefined && !both && chk.ok(['data', 'source'])) {
    info.synthetic = false;
    source = normalizeSource(raw.source, chk, dir, info);
  }
  return { data: { fields, ...(source && { source }) }, info };
}

interface FieldCtx {
  defined: string[];
  all: string[];
  info: DataInfo;
  chk: Checker;
}

function normalizeField(raw: RawFieldSpec, path: Path, ctx: FieldCtx): FieldSpec | undefined {
  const { chk } = ctx;
  if ('int' in raw || 'float' in raw) {
    const kind = 'int' in raw ? 'int' : 'float';
    const [min, max] = 'int' in raw ? raw.int : raw.float;
    if (kind === 'int' && (!Number.isInteger(min) || !Number.isInteger(max))) chk.add([...path, kind], `must be a pair of integers (got ${describeValue([min, max])})`);
    if (min > max) chk.add([...path, kind], `must be [min, max] with min ≤ max (got ${describeValue([min, max])})`);
    const d = raw.drift;
    if (d) {
      ctx.info.hasFieldDrift = true;
      if (d.range[0] > d.range[1]) chk.add([...path, 'drift', 'range'], `must be [min, max] with min ≤ max (got ${describeValue(d.range)})`);
      checkSpan(d.start ?? 0, d.end ?? 1, [...path, 'drift'], chk);
    }
    const drift = d ? { min: d.range[0], max: d.range[1], start: d.start ?? 0, end: d.end ?? 1 } : undefined;
    return { kind, min, max, ...(drift && { drift }) };
  }
  if ('normal' in raw) {
    if (raw.drift) ctx.info.hasFieldDrift = true;
    return { kind: 'normal', mean: raw.normal.mean, sd: raw.normal.sd, ...(raw.drift && { drift: { ...raw.drift } }) };
  }
  if ('oneOf' in raw) {
    const n = raw.oneOf.length;
    if (raw.weights && raw.weights.length !== n) chk.add([...path, 'weights'], `must have one weight per value (${n} values, got ${raw.weights.length} weights)`);
    else if (raw.weights && !raw.weights.some((w) => w > 0)) chk.add([...path, 'weights'], 'must have at least one weight above 0');
    if (raw.drift) {
      ctx.info.hasFieldDrift = true;
      if (raw.drift.weights.length !== n) chk.add([...path, 'drift', 'weights'], `must have one weight per value (${n} values, got ${raw.drift.weights.length} weights)`);
    }
    return { kind: 'oneOf', values: raw.oneOf, ...(raw.weights && { weights: raw.weights }), ...(raw.drift && { drift: { weights: raw.drift.weights } }) };
  }
  if ('bool' in raw) {
    if (raw.drift) ctx.info.hasFieldDrift = true;
    return { kind: 'bool', p: raw.bool, ...(raw.drift && { drift: { p: raw.drift.p } }) };
  }
  if ('uuid' in raw) return { kind: 'uuid' };
  if ('seq' in raw) return { kind: 'seq' };
  if ('const' in raw) return { kind: 'const', value: raw.const };
  if ('faker' in raw) {
    for (const p of checkFakerArgs(raw.faker, raw.args)) chk.add([...path, 'args', ...p.path], p.message);
    return { kind: 'faker', method: raw.faker, ...(raw.args !== undefined && { args: raw.args }) };
  }
  const kind = 'plus' in raw ? 'plus' : 'minus' in raw ? 'minus' : 'times';
  const ops = (raw as Record<string, RawOperand[]>)[kind]!;
  const args = ops.map((op, i) => normalizeOperand(op, [...path, kind, i], ctx));
  return args.every((a): a is FieldArg => a !== undefined) ? { kind, args } : undefined;
}

function normalizeOperand(op: RawOperand, path: Path, ctx: FieldCtx): FieldArg | undefined {
  if (typeof op === 'number') return { value: op };
  if (typeof op === 'string') {
    if (!ctx.defined.includes(op)) {
      const later = ctx.all.includes(op);
      const hint = later ? undefined : didYouMean(op, ctx.defined);
      ctx.chk.add(
        path,
        later
          ? `refers to \`${op}\`, which is defined later; a derived field may only use fields above it`
          : `refers to \`${op}\`, which is not an earlier field${hint ? `; did you mean \`${hint}\`?` : ` (fields so far: ${ctx.defined.join(', ') || 'none'})`}`,
      );
      return undefined;
    }
    if (!ctx.info.numeric.has(op)) ctx.chk.add(path, `refers to \`${op}\`, which is not numeric; arithmetic needs numbers`);
    return { ref: op };
  }
  const expr = normalizeField(op, path, ctx);
  if (expr && !isNumeric(expr)) ctx.chk.add(path, 'must be a numeric field spec (int, float, normal, bool, seq, const number, or arithmetic)');
  return expr ? { expr } : undefined;
}

/** Covariate drift anywhere in a field, nested arithmetic included. */
export function fieldHasDrift(spec: FieldSpec): boolean {
  if ('drift' in spec && spec.drift) return true;
  if (spec.kind !== 'plus' && spec.kind !== 'minus' && spec.kind !== 'times') return false;
  return spec.args.some((a) => 'expr' in a && fieldHasDrift(a.expr));
}

function isNumeric(spec: FieldSpec): boolean {
  switch (spec.kind) {
    case 'int':
    case 'float':
    case 'normal':
    case 'bool':
    case 'seq':
    case 'plus':
    case 'minus':
    case 'times':
      return true;
    case 'const':
      return typeof spec.value === 'number';
    case 'oneOf':
      return spec.values.every((v) => typeof v === 'number');
    case 'faker':
      return NUMERIC_FAKER.has(spec.method);
    default:
      return false;
  }
}

function isBoolean(spec: FieldSpec): boolean {
  if (spec.kind === 'bool') return true;
  if (spec.kind === 'const') return typeof spec.value === 'boolean';
  if (spec.kind === 'oneOf') return spec.values.every((v) => typeof v === 'boolean');
  return spec.kind === 'faker' && spec.method === 'datatype.boolean';
}

function checkSpan(start: number, end: number, path: Path, chk: Checker): void {
  if (start > end) chk.add(path, `must have start ≤ end (got start ${start}, end ${end})`);
}

function normalizeSource(raw: NonNullable<RawData['source']>, chk: Checker, dir: string, info: DataInfo): CsvSource | undefined {
  const obj = typeof raw === 'string' ? { path: raw } : raw;
  const base: Path = typeof raw === 'string' ? ['data', 'source'] : ['data', 'source', 'path'];
  const abs = resolve(dir, obj.path);
  const ext = extname(abs).toLowerCase();
  const format = obj.format ?? (ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined);
  if (!format) {
    chk.add(base, `has no .csv/.jsonl extension; set data.source.format to "csv" or "jsonl" (got ${describeValue(obj.path)})`);
    return undefined;
  }
  const header = readSourceHeader(abs, format);
  if (typeof header === 'string') {
    chk.add(base, `${header} (looked for ${abs})`);
    return undefined;
  }
  info.names = header;
  info.sourceLabel = typeof raw === 'string' ? undefined : raw.label;
  if (typeof raw !== 'string') {
    if (raw.label !== undefined && !header.includes(raw.label)) chk.add(['data', 'source', 'label'], missingColumn(raw.label, header));
    raw.columns?.forEach((c, i) => {
      if (!header.includes(c)) chk.add(['data', 'source', 'columns', i], missingColumn(c, header));
    });
    for (const c of Object.keys(raw.types ?? {})) {
      if (!header.includes(c)) chk.add(['data', 'source', 'types', c], missingColumn(c, header), 'key');
    }
    if (raw.columns) info.columns = raw.columns;
    if (raw.types) info.types = raw.types;
  }
  const order = obj.order ?? 'sequential';
  const atEnd = obj.atEnd ?? 'cycle';
  const columns = typeof raw === 'string' ? undefined : raw.columns;
  const types = typeof raw === 'string' ? undefined : raw.types;
  return { path: abs, format, order, atEnd, ...(columns && { columns }), ...(types && { types }) };
}

export function missingColumn(name: string, header: readonly string[]): string {
  const hint = didYouMean(name, header);
  return `names column \`${name}\`, which the file does not have${hint ? `; did you mean \`${hint}\`?` : ` (columns: ${header.join(', ')})`}`;
}

// ---- label ----

const same = (a: LabelValue, b: LabelValue) => String(a) === String(b);

export function normalizeLabel(raw: RawLabel, base: Path, chk: Checker, info: DataInfo): LabelSpec | undefined {
  const models = LABEL_MODELS.filter((m) => raw[m] !== undefined);
  const column = raw.column ?? (models.length === 0 ? info.sourceLabel : undefined);
  if (models.length > 1) {
    chk.add(base, `must have exactly one label model, got ${models.join(' and ')}`);
    return undefined;
  }
  if (models.length === 0 && column === undefined) {
    chk.add(base, `needs a label model: one of ${LABEL_MODELS.join(', ')}`);
    return undefined;
  }
  const model = models[0] ?? 'column';
  const p = (...rest: Path): Path => [...base, ...rest];
  const checkWeights = (w: Record<string, number> | undefined, path: Path) => {
    for (const name of Object.keys(w ?? {})) checkFeature(name, [...path, name], chk, info, 'key');
  };
  let m: LabelModel;
  let classes: LabelValue[] = [];
  const binary = (what: string): [LabelValue, LabelValue] => {
    const c = raw.classes ?? [0, 1];
    if (c.length !== 2) chk.add(p('classes'), `must list exactly 2 classes for a ${what} label (got ${describeValue(c)})`);
    return [c[0] ?? 0, c[1] ?? 1];
  };
  switch (model) {
    case 'logistic': {
      const l = raw.logistic!;
      checkWeights(l.weights, p('logistic', 'weights'));
      m = { kind: 'logistic', bias: l.bias ?? 0, weights: l.weights, classes: binary('logistic') };
      classes = [...m.classes];
      break;
    }
    case 'threshold': {
      const t = raw.threshold!;
      checkFeature(t.field, p('threshold', 'field'), chk, info, 'value', false);
      m = { kind: 'threshold', field: t.field, op: t.op, value: t.value, classes: binary('threshold') };
      classes = [...m.classes];
      break;
    }
    case 'priors': {
      const w = raw.priors!;
      classes = raw.classes ?? w.map((_, i) => i);
      if (classes.length !== w.length) chk.add(p('classes'), `must list one class per prior weight (${w.length} weights, got ${classes.length} classes)`);
      if (!w.some((x) => x > 0)) chk.add(p('priors'), 'must have at least one weight above 0');
      m = { kind: 'priors', classes, weights: w };
      break;
    }
    case 'softmax': {
      const s = raw.softmax!;
      if (raw.classes) chk.add(p('classes'), 'is implied by label.softmax (each entry names its class); remove it', 'key');
      s.forEach((e, i) => checkWeights(e.weights, p('softmax', i, 'weights')));
      classes = s.map((e) => e.class);
      m = { kind: 'softmax', classes: s.map((e) => ({ value: e.class, bias: e.bias ?? 0, weights: e.weights ?? {} })) };
      break;
    }
    case 'linear': {
      const l = raw.linear!;
      checkWeights(l.weights, p('linear', 'weights'));
      for (const k of ['classes', 'positive'] as const) if (raw[k] !== undefined) chk.add(p(k), 'does not apply to a regression (linear) label; remove it', 'key');
      m = { kind: 'linear', bias: l.bias ?? 0, weights: l.weights, noiseSd: l.noise ?? 0 };
      break;
    }
    default: {
      if (info.synthetic) {
        chk.add(p('column'), 'needs data.source: a label column exists only in a replayed file (synthetic rows use logistic, threshold, priors, softmax or linear)');
        return undefined;
      }
      if (info.sourceLabel !== undefined && !same(info.sourceLabel, column!)) {
        chk.add(p('column'), `disagrees with data.source.label (${describeValue(column)} vs ${describeValue(info.sourceLabel)}); set one of them`);
      } else if (info.names && !info.names.includes(column!)) chk.add(p('column'), missingColumn(column!, info.names));
      classes = raw.classes ?? [];
      m = { kind: 'column', column: column!, ...(raw.classes && { classes: raw.classes }) };
    }
  }
  const task = m.kind === 'linear' || (m.kind === 'column' && !raw.classes) ? 'regression' : 'classification';
  const dup = classes.find((c, i) => classes.findIndex((d) => same(c, d)) !== i);
  if (dup !== undefined) chk.add(p(m.kind === 'softmax' ? 'softmax' : 'classes'), `must not repeat a class (${describeValue(dup)} appears twice)`);
  if (task === 'classification' && classes.length < 2 && m.kind === 'column') chk.add(p('classes'), 'must list at least 2 classes');
  let positive: LabelValue | undefined;
  if (raw.positive !== undefined && task === 'classification') {
    positive = classes.find((c) => same(c, raw.positive!));
    if (positive === undefined) chk.add(p('positive'), `must be one of the classes ${classes.join(', ')} (got ${describeValue(raw.positive)})`);
  } else if (task === 'classification') positive = defaultPositive(classes);
  if (task === 'regression' && raw.positive !== undefined && m.kind !== 'linear') chk.add(p('positive'), 'does not apply to a regression label; remove it', 'key');
  if (task === 'regression' && raw.outOfClass !== undefined) chk.add(p('outOfClass'), 'applies to classification labels only; remove it', 'key');
  const drift = normalizeLabelDrift(raw, p, chk, info, m, task);
  const name = raw.name ?? (m.kind === 'column' ? m.column : 'label');
  const outOfClass = task === 'classification' ? raw.outOfClass : undefined;
  return { name, task, model: m, classes, ...(positive !== undefined && { positive }), ...(outOfClass && { outOfClass }), ...(drift && { drift }) };
}

function normalizeLabelDrift(
  raw: RawLabel,
  p: (...rest: Path) => Path,
  chk: Checker,
  info: DataInfo,
  m: LabelModel,
  task: LabelSpec['task'],
): LabelDrift | undefined {
  const d = raw.drift;
  if (!d) return undefined;
  const out: LabelDrift = {};
  if (d.flipRate) {
    if (task === 'regression') chk.add(p('drift', 'flipRate'), 'applies to classification labels; use concept drift (label.drift.concept) for regression', 'key');
    out.flipRate = { from: d.flipRate.from ?? 0, to: d.flipRate.to };
  }
  if (d.concept) {
    const c = d.concept;
    if (m.kind !== 'logistic' && m.kind !== 'linear') chk.add(p('drift', 'concept'), `needs a logistic or linear label model (got ${m.kind})`, 'key');
    if (c.at !== undefined && (c.start !== undefined || c.end !== undefined)) chk.add(p('drift', 'concept', 'at'), 'cannot be combined with start/end: use `at` for a sudden change or start/end for a gradual one', 'key');
    if (c.bias === undefined && c.weights === undefined) chk.add(p('drift', 'concept'), 'needs bias and/or weights: the values the model drifts to');
    for (const name of Object.keys(c.weights ?? {})) checkFeature(name, p('drift', 'concept', 'weights', name), chk, info, 'key');
    const start = c.at ?? c.start ?? 0;
    const end = c.at ?? c.end ?? 1;
    checkSpan(start, end, p('drift', 'concept'), chk);
    out.concept = { ...(c.bias !== undefined && { bias: c.bias }), ...(c.weights && { weights: c.weights }), start, end };
  }
  return out.flipRate || out.concept ? out : undefined;
}

/** A label model's reference to a field/column: it must exist, and (for weights) be numeric. */
function checkFeature(name: string, path: Path, chk: Checker, info: DataInfo, at: 'key' | 'value', numeric = true): void {
  if (!info.names) return;
  if (!info.names.includes(name)) {
    const hint = didYouMean(name, info.names);
    const what = info.synthetic ? 'field' : 'column';
    chk.add(path, `refers to \`${name}\`, which is not a data ${what}${hint ? `; did you mean \`${hint}\`?` : ` (${what}s: ${info.names.join(', ')})`}`, at);
  } else if (numeric && info.synthetic && !info.numeric.has(name)) {
    chk.add(path, `refers to \`${name}\`, which is not numeric; a weight needs a number`, at);
  }
}
