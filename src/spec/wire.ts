// What each protocol writes by default, and which row formats it can write: the one home for these rules, read by
// the scenario checks (normalize-wire.ts) and by the encoders (src/codecs/plan.ts).
import type { ClouderaRequest, Protocol, RowFormat, TargetSpec, TensorSpec, V2Datatype } from './types.js';

export const DEFAULT_TENSOR_NAME = 'input-0';
export const DEFAULT_TENSOR_DATATYPE = 'FP32';
export const DEFAULT_DECISION_THRESHOLD = 0.5;
export const DEFAULT_FEEDBACK_METRIC = 'final_label';
/** KServe (infer_type.py as_dataframe) and MLServer (PandasCodec) read per-field tensors as a DataFrame only with this. */
export const PER_FIELD_PARAMETERS = { content_type: 'pd' } as const;

/** Cloudera request forms that carry several rows (MLflow payloads); `flat` and `record` hold one row. */
export const CLOUDERA_BATCH_FORMS: readonly ClouderaRequest[] = ['dataframe_split', 'dataframe_records', 'inputs'];

type WireTarget = Pick<TargetSpec, 'protocol' | 'cloudera'>;

export const clouderaRequestOf = (t: WireTarget): ClouderaRequest => t.cloudera?.request ?? 'flat';

/**
 * The row formats a protocol can write, the default first; empty when rows are not written one by one
 * (mlflow-split and Cloudera dataframe_split write columns + data, kserve-v2 writes tensors).
 */
export function rowFormatsOf(t: WireTarget): readonly RowFormat[] {
  const key: keyof typeof ROW_FORMATS_BY_PROTOCOL = t.protocol === 'cloudera' ? `cloudera:${clouderaRequestOf(t)}` : t.protocol;
  return ROW_FORMATS_BY_PROTOCOL[key] ?? [];
}

// Defaults follow what each protocol's most common real server accepts with no configuration: KServe's sklearn /
// xgboost / lightgbm servers and Keras models on TF Serving take positional rows (../shared/conformance KV1-1,
// TFS-2); Cloudera model functions and MLflow records read fields by name.
const ROW_FORMATS_BY_PROTOCOL: Record<Exclude<Protocol, 'cloudera'> | `cloudera:${ClouderaRequest}`, readonly RowFormat[]> = {
  'kserve-v1': ['array', 'object', 'object-of-lists', 'scalar'],
  'tf-serving': ['array', 'object', 'object-of-lists', 'scalar'],
  'mlflow-records': ['object'],
  'mlflow-split': [],
  'kserve-v2': [],
  template: ['object', 'array', 'scalar', 'object-of-lists'],
  'cloudera:flat': ['object'],
  'cloudera:record': ['object'],
  'cloudera:dataframe_records': ['object'],
  'cloudera:dataframe_split': [],
  'cloudera:inputs': ['array', 'object', 'scalar'],
};

/** The row format in effect: the scenario's, else the protocol's default (undefined: not row by row). */
export function rowFormatOf(t: WireTarget & Pick<TargetSpec, 'rowFormat'>): RowFormat | undefined {
  return t.rowFormat ?? rowFormatsOf(t)[0];
}

/** The tensor layout in effect for kserve-v2, defaults filled. */
export function tensorOf(t: Pick<TargetSpec, 'tensor'>): Required<Pick<TensorSpec, 'layout' | 'dims'>> & TensorSpec {
  const spec = t.tensor ?? { layout: 'single' };
  return { ...spec, dims: spec.dims ?? [] };
}

/** Whether a datatype needs numbers (booleans are written 1/0), booleans, or takes anything (as text). */
export function datatypeNeeds(d: V2Datatype): 'number' | 'boolean' | 'any' {
  return d === 'BYTES' ? 'any' : d === 'BOOL' ? 'boolean' : 'number';
}
