// A scikit-learn estimator's predict() as KServe's sklearnserver, MLServer's SKLearn runtime and MLflow's sklearn
// flavor call it: the input is what numpy/pandas made of the request (np.array(rows) or a DataFrame), and
// sklearn's own validation decides, with its own messages:
//   numpy/_core (np.array): ragged rows → "setting an array element with a sequence. … inhomogeneous shape …"
//   scikit-learn sklearn/base.py _check_feature_names: a DataFrame must carry the fit-time names, in order
//   scikit-learn sklearn/utils/validation.py check_array: 2-D only, numeric only, finite only
//   scikit-learn sklearn/base.py _check_n_features: "X has 5 features, but LogisticRegression is expecting 4 …"
import type { LinearModel, Scored } from './model.js';
import { Float, type PyValue, numpyRow, parsePyFloat, pyRepr, pyTuple } from './pyjson.js';
import { isObject, numeric } from './jsonparse.js';

export type SkInput =
  /** np.array(value): rows as nested lists (KServe v1 positional rows, an OIP tensor reshaped, MLflow `inputs`). */
  | { kind: 'ndarray'; value: PyValue }
  /** A pandas DataFrame: named columns (KServe dicts, content_type pd, MLflow dataframe_*). */
  | { kind: 'frame'; columns: string[]; rows: PyValue[][] };

interface Estimator {
  /** The class name sklearn puts in its messages, e.g. LogisticRegression. */
  name: string;
  /** Fitted on a DataFrame: then a DataFrame's column names must equal the features, in order. */
  featureNamesAtFit: boolean;
  /** One-hot encoded features of a Pipeline(ColumnTransformer, …): selected by name, any value accepted. */
  categorical?: readonly string[];
}

type SkResult = { ok: true; scored: Scored[] } | { ok: false; message: string };
const fail = (message: string): SkResult => ({ ok: false, message });

type Kind = 'b' | 'i' | 'f' | 'U' | 'O';

interface NdArray {
  shape: number[];
  flat: PyValue[];
  kind: Kind;
}

/** numpy's np.array(nested) → shape + dtype kind, or numpy's ValueError for ragged nesting. */
export function ndarray(v: PyValue): NdArray | string {
  const shape: number[] = [];
  for (let x: PyValue = v; Array.isArray(x); x = x.length > 0 ? x[0] : null) {
    shape.push(x.length);
    if (x.length === 0) break;
  }
  const flat: PyValue[] = [];
  const walk = (x: PyValue, depth: number): boolean => {
    if (depth === shape.length) {
      if (Array.isArray(x)) return false;
      flat.push(x);
      return true;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) return false;
    return x.every((y) => walk(y, depth + 1));
  };
  if (!walk(v, 0)) {
    // numpy reports the depth up to which the nesting was regular.
    let regular = 0;
    for (let d = 1; d <= shape.length; d++) {
      flat.length = 0;
      const probe = (x: PyValue, depth: number): boolean =>
        depth === d ? true : Array.isArray(x) && x.length === shape[depth] && x.every((y) => probe(y, depth + 1));
      if (probe(v, 0)) regular = d;
      else break;
    }
    return (
      'setting an array element with a sequence. The requested array has an inhomogeneous shape after ' +
      `${regular} dimensions. The detected shape was ${pyTuple(shape.slice(0, regular))} + inhomogeneous part.`
    );
  }
  return { shape, flat, kind: kindOf(flat) };
}

function kindOf(values: readonly PyValue[]): Kind {
  let kind: Kind = 'b';
  for (const x of values) {
    if (x === null || isObject(x) || Array.isArray(x)) return 'O';
    if (typeof x === 'string') kind = 'U';
    else if (kind === 'U') continue;
    else if (x instanceof Float) kind = 'f';
    else if (typeof x === 'number' && kind !== 'f') kind = 'i';
  }
  return kind;
}

/** Python's float(x) as numpy's astype(float64) applies it to an object element. */
function toFloat(x: PyValue): number | string {
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'number' || x instanceof Float) return numeric(x);
  if (typeof x === 'string') return parsePyFloat(x) ?? `could not convert string to float: ${pyRepr(x)}`;
  const type = x === null ? 'NoneType' : Array.isArray(x) ? 'list' : 'dict';
  return `float() argument must be a string or a real number, not '${type}'`;
}

export const RESHAPE_HINT =
  'Reshape your data either using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) if it contains a single sample.';

function finiteCheck(values: readonly number[], est: Estimator): string | undefined {
  if (values.some(Number.isNaN)) {
    return (
      `Input X contains NaN.\n${est.name} does not accept missing values encoded as NaN natively. For supervised learning, ` +
      'you might want to consider sklearn.ensemble.HistGradientBoostingClassifier and Regressor which accept missing values ' +
      'encoded as NaNs natively. Alternatively, it is possible to preprocess the data, for instance by using an imputer ' +
      'transformer in a pipeline or drop samples with missing values. See https://scikit-learn.org/stable/modules/impute.html ' +
      'You can find a list of all estimators that handle NaN values at the following page: ' +
      'https://scikit-learn.org/stable/modules/impute.html#estimators-that-handle-nan-values'
    );
  }
  if (values.some((v) => !Number.isFinite(v))) return "Input X contains infinity or a value too large for dtype('float64').";
  return undefined;
}

function nFeaturesCheck(n: number, model: LinearModel, est: Estimator): string | undefined {
  const want = model.features.length;
  return n === want ? undefined : `X has ${n} features, but ${est.name} is expecting ${want} features as input.`;
}

function scoreRows(rows: number[][], model: LinearModel): SkResult {
  return { ok: true, scored: rows.map((r) => model.score(r)) };
}

/** Python's type name, for TypeErrors quoted from numpy's object arithmetic. */
const pyTypeName = (x: PyValue): string =>
  x === null ? 'NoneType' : typeof x === 'string' ? 'str' : Array.isArray(x) ? 'list' : isObject(x) ? 'dict' : typeof x === 'boolean' ? 'bool' : 'float';

/**
 * check_array on np.array(rows): a list gives no dtype to convert from, so an object array (None or dicts among the
 * values) stays object, passes the checks and fails in the decision function's matrix product.
 */
function predictArray(a: NdArray, model: LinearModel, est: Estimator): SkResult {
  const values = a.kind === 'U' || a.kind === 'O' ? [] : a.flat.map((x) => (typeof x === 'boolean' ? (x ? 1 : 0) : numeric(x)));
  const shown = (): string =>
    a.kind === 'U' ? `[${a.flat.map((x) => pyRepr(String(x))).join(' ')}]` : a.kind === 'O' ? `[${a.flat.map(pyRepr).join(' ')}]` : numpyRow(values);
  if (a.shape.length === 0) return fail(`Expected 2D array, got scalar array instead:\narray=${a.kind === 'U' ? String(a.flat[0]) : pyRepr(a.flat[0])}.\n${RESHAPE_HINT}`);
  if (a.shape.length === 1) return fail(`Expected 2D array, got 1D array instead:\narray=${shown()}.\n${RESHAPE_HINT}`);
  if (a.kind === 'U') {
    return fail("dtype='numeric' is not compatible with arrays of bytes/strings.Convert your data to numeric values explicitly instead.");
  }
  if (a.shape.length >= 3) return fail(`Found array with dim ${a.shape.length}. ${est.name} expected <= 2.`);
  const finite = finiteCheck(values, est);
  if (finite) return fail(finite);
  const [n, k] = a.shape;
  if (n === 0) return fail(`Found array with 0 sample(s) (shape=${pyTuple(a.shape)}) while a minimum of 1 is required by ${est.name}.`);
  const bad = nFeaturesCheck(k, model, est);
  if (bad) return fail(bad);
  if (a.kind === 'O') {
    const odd = a.flat.find((x) => typeof x !== 'number' && !(x instanceof Float) && typeof x !== 'boolean')!;
    return fail(typeof odd === 'string' ? "can't multiply sequence by non-int of type 'float'" : `unsupported operand type(s) for *: '${pyTypeName(odd)}' and 'float'`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(values.slice(i * k, (i + 1) * k));
  return scoreRows(rows, model);
}

function featureNamesCheck(columns: readonly string[], model: LinearModel, est: Estimator): string | undefined {
  if (!est.featureNamesAtFit) return undefined; // sklearn only warns ("X has feature names, but … was fitted without")
  const fitted = model.features;
  if (columns.length === fitted.length && columns.every((c, i) => c === fitted[i])) return undefined;
  const unseen = [...new Set(columns)].filter((c) => !fitted.includes(c)).sort();
  const missing = fitted.filter((f) => !columns.includes(f)).sort();
  const list = (names: string[]) => names.slice(0, 5).map((x) => `- ${x}\n`).join('') + (names.length > 5 ? '- ...\n' : '');
  let message = 'The feature names should match those that were passed during fit.\n';
  if (unseen.length) message += `Feature names unseen at fit time:\n${list(unseen)}`;
  if (missing.length) message += `Feature names seen at fit time, yet now missing:\n${list(missing)}`;
  if (!unseen.length && !missing.length) message += 'Feature names must be in the same order as they were in fit.\n';
  return message;
}

/**
 * A Pipeline whose first step is a ColumnTransformer: columns are picked by name, so extra columns are dropped and
 * order does not matter, but every fitted column must be there.
 * scikit-learn sklearn/compose/_column_transformer.py transform ("columns are missing: {...}").
 */
function predictPipeline(columns: readonly string[], rows: readonly PyValue[][], model: LinearModel, est: Estimator): SkResult {
  const missing = model.features.filter((f) => !columns.includes(f)).sort();
  if (missing.length) return fail(`columns are missing: {${missing.map((m) => pyRepr(m)).join(', ')}}`);
  const at = model.features.map((f) => columns.indexOf(f));
  const categorical = new Set(est.categorical);
  const values: number[][] = [];
  for (const row of rows) {
    const out: number[] = [];
    for (const [i, f] of model.features.entries()) {
      if (categorical.has(f)) {
        out.push(NaN); // one-hot encoded; the linear rule gives it no weight
        continue;
      }
      const x = row[at[i]];
      const v = x === null ? NaN : toFloat(x);
      if (typeof v === 'string') return fail(v);
      out.push(v);
    }
    values.push(out);
  }
  const finite = finiteCheck(values.flatMap((r) => r.filter((_, i) => !categorical.has(model.features[i]))), est);
  if (finite) return fail(finite);
  return scoreRows(values, model);
}

function predictFrame(columns: readonly string[], rows: readonly PyValue[][], model: LinearModel, est: Estimator): SkResult {
  if (est.categorical?.length) return predictPipeline(columns, rows, model, est);
  const names = featureNamesCheck(columns, model, est);
  if (names) return fail(names);
  const values: number[][] = [];
  for (const row of rows) {
    const out: number[] = [];
    for (const x of row) {
      const f = x === null ? NaN : toFloat(x);
      if (typeof f === 'string') return fail(f);
      out.push(f);
    }
    values.push(out);
  }
  const finite = finiteCheck(values.flat(), est);
  if (finite) return fail(finite);
  if (rows.length === 0) return fail(`Found array with 0 sample(s) (shape=(0, ${columns.length})) while a minimum of 1 is required by ${est.name}.`);
  const bad = nFeaturesCheck(columns.length, model, est);
  if (bad) return fail(bad);
  return scoreRows(values, model);
}

/** estimator.predict(X) / predict_proba(X) validation and scoring. */
export function sklearnPredict(input: SkInput, model: LinearModel, est: Estimator): SkResult {
  if (input.kind === 'frame') return predictFrame(input.columns, input.rows, model, est);
  // scikit-learn sklearn/utils/_indexing.py _get_column_indices: names select columns of DataFrames only.
  if (est.categorical?.length) return fail('Specifying the columns using strings is only supported for dataframes.');
  const a = ndarray(input.value);
  return typeof a === 'string' ? fail(a) : predictArray(a, model, est);
}

/** pandas' pd.DataFrame(dict) for one KServe v1 instance: scalars need an index, lists become rows. */
export function frameFromDict(d: Record<string, PyValue>): { columns: string[]; rows: PyValue[][] } | string {
  const columns = Object.keys(d);
  const values = columns.map((c) => d[c]);
  const lists = values.filter(Array.isArray);
  if (lists.length === 0) return 'If using all scalar values, you must pass an index';
  const n = (lists[0] as PyValue[]).length;
  if (lists.some((l) => (l as PyValue[]).length !== n)) return 'All arrays must be of the same length';
  const rows: PyValue[][] = [];
  for (let i = 0; i < n; i++) rows.push(values.map((v) => (Array.isArray(v) ? v[i] : v)));
  return { columns, rows };
}
