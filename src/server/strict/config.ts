// The configuration of a strict stand-in server (`modelwave serve --strict NAME --strict-config FILE`): the model
// behind it (feature names and order, classes, a fixed logistic or softmax rule, what it outputs) and the
// server-specific facts a real deployment would carry (Triton's model config, TF Serving's signature, MLflow's
// MLmodel signature, a Cloudera access key). Every key is optional; defaults describe the telco cell-tower model.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { usageError } from '../../errors.js';
import { issuesToProblems, problemText } from '../../scenario/errors.js';

import type { StrictName } from './names.js';

export type { StrictName } from './names.js';
export type OutputKind = 'class' | 'probability' | 'probabilities';
export type ClassValue = string | number;

const num = z.number({ error: 'must be a number' });
const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
const weights = z.record(z.string(), num, { error: 'must map feature names to numbers' });
const dims = z.array(z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }), { error: 'must be a list of integers' });

const ModelSection = z.strictObject({
  name: text.optional(),
  features: z.array(text, { error: 'must be a list of feature names' }).min(1, { error: 'must name at least one feature' }).optional(),
  classes: z.array(z.union([z.string(), z.number()], { error: 'must be a string or a number' })).min(2, { error: 'must list at least 2 classes' }).optional(),
  logistic: z.strictObject({ bias: num.optional(), weights: weights.optional() }).optional(),
  softmax: z.array(z.strictObject({ class: z.union([z.string(), z.number()]), bias: num.optional(), weights: weights.optional() })).min(2).optional(),
  output: z.enum(['class', 'probability', 'probabilities'], { error: 'must be class, probability or probabilities' }).optional(),
});

const SklearnSection = z.strictObject({
  estimator: text.optional(),
  featureNamesAtFit: z.boolean({ error: 'must be true or false' }).optional(),
  categorical: z.array(text, { error: 'must be a list of feature names' }).optional(),
});

// Triton's own model-config JSON (what GET /v2/models/NAME/config returns): `input`, `output`, TYPE_* data types.
const TritonTensor = z.strictObject({ name: text, data_type: text, dims });
const TritonSection = z.strictObject({
  max_batch_size: z.number().int().nonnegative({ error: 'must be an integer ≥ 0' }).optional(),
  input: z.array(TritonTensor).min(1).optional(),
  output: z.array(TritonTensor).length(1, { error: 'must declare exactly one output' }).optional(),
});

const TfSection = z.strictObject({
  signatureName: text.optional(),
  inputs: z.record(z.string(), z.strictObject({ dtype: text, shape: dims })).optional(),
  outputName: text.optional(),
  estimator: z.boolean({ error: 'must be true or false' }).optional(),
});

// MLflow's MLmodel signature inputs, as JSON: [{"type": "tensor", "tensor-spec": {...}}] or [{"name", "type"}].
const MlflowInput = z.union([
  z.strictObject({ type: z.literal('tensor'), 'tensor-spec': z.strictObject({ dtype: text, shape: dims }), name: text.optional() }),
  z.strictObject({ name: text, type: z.enum(['double', 'float', 'long', 'integer', 'string', 'boolean']) }),
]);
const MlflowSection = z.strictObject({
  signature: z.strictObject({ inputs: z.array(MlflowInput).min(1) }).optional(),
  predictions: z.enum(['ndarray', 'series', 'frame', 'columns'], { error: 'must be ndarray, series, frame or columns' }).optional(),
  labelColumn: text.optional(),
});

const ClouderaSection = z.strictObject({
  accessKey: text.optional(),
  argument: z.enum(['record', 'flat'], { error: 'must be record or flat' }).optional(),
  deploymentCrn: text.optional(),
  response: z.enum(['value', 'result', 'explainer'], { error: 'must be value, result or explainer' }).optional(),
  metrics: z.boolean({ error: 'must be true or false' }).optional(),
  authorization: text.optional(),
});

const ConfigFile = z.strictObject({
  model: ModelSection.optional(),
  sklearn: SklearnSection.optional(),
  triton: TritonSection.optional(),
  tfServing: TfSection.optional(),
  mlflow: MlflowSection.optional(),
  cloudera: ClouderaSection.optional(),
});
type StrictConfigFile = z.infer<typeof ConfigFile>;

interface LinearClass {
  class: ClassValue;
  bias: number;
  weights: Record<string, number>;
}

export interface ModelConfig {
  name: string;
  features: string[];
  classes: ClassValue[];
  /** Binary: one logit for the last class (sigmoid). Multi-class: one logit per class (softmax). */
  logits: LinearClass[];
  output: OutputKind;
}

export interface TritonTensorConfig {
  name: string;
  data_type: string;
  dims: number[];
}

export interface StrictConfig {
  model: ModelConfig;
  /**
   * `categorical` features make the model a Pipeline(ColumnTransformer(OneHotEncoder on them), estimator): fitted on
   * a DataFrame, it selects columns by name and takes any value in a categorical column.
   */
  sklearn: { estimator: string; featureNamesAtFit: boolean; categorical: string[] };
  triton: { max_batch_size: number; input: TritonTensorConfig[]; output: TritonTensorConfig[] };
  tfServing: { signatureName: string; inputs: Record<string, { dtype: string; shape: number[] }>; outputName: string; estimator: boolean };
  mlflow: { signature: { inputs: z.infer<typeof MlflowInput>[] }; predictions: 'ndarray' | 'series' | 'frame' | 'columns'; labelColumn: string };
  /**
   * `argument`: how the model function reads its input (cml-record): `record` = args["record"] (the AMP), `flat` =
   * the fields themselves. `authorization`: the exact Authorization header the endpoints require, when set.
   */
  cloudera: {
    accessKey?: string;
    argument: 'record' | 'flat';
    deploymentCrn: string;
    response: 'value' | 'result' | 'explainer';
    metrics: boolean;
    authorization?: string;
  };
}

/** Which config sections each server reads; any other section in the file is a mistake worth reporting. */
const SECTIONS: Record<StrictName, readonly (keyof StrictConfigFile)[]> = {
  'kserve-sklearn': ['model', 'sklearn'],
  mlserver: ['model', 'sklearn'],
  triton: ['model', 'triton'],
  'tf-serving-keras': ['model', 'tfServing'],
  mlflow: ['model', 'mlflow'],
  'cml-record': ['model', 'cloudera'],
  'cml-registry': ['model', 'cloudera', 'mlflow'],
};

/** Default outputs: what each server's most common model answers (sklearn predict, a Keras/ONNX sigmoid). */
const DEFAULT_OUTPUT: Record<StrictName, OutputKind> = {
  'kserve-sklearn': 'class',
  mlserver: 'class',
  triton: 'probability',
  'tf-serving-keras': 'probability',
  mlflow: 'class',
  'cml-record': 'class',
  'cml-registry': 'class',
};

// The telco cell-tower model: its rule is the scenarios' label model (bias −37, 0.9·s1 + 0.3·s4), so a correct
// client scores ≈ the label model's own accuracy against it.
const TELCO_FEATURES = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4'];
const TELCO_LOGIT = { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } };

const problem = (file: string, message: string) => usageError(`--strict-config ${file}: ${message}`);

/** Read and check `--strict-config FILE` for server `name`; `undefined` file → the defaults. */
export function loadStrictConfig(name: StrictName, file?: string): StrictConfig {
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw problem(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw problem(file, `is not JSON (${(err as Error).message})`);
    }
  }
  return resolveStrictConfig(name, raw, file ?? 'the defaults');
}

/** Check a parsed config object and fill every default. `where` names it in messages. */
export function resolveStrictConfig(name: StrictName, raw: unknown, where = 'the config'): StrictConfig {
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    const problems = issuesToProblems(parsed.error.issues, raw, ConfigFile).map(problemText);
    throw usageError(`--strict-config ${where}: ${problems[0]}`, problems);
  }
  const cfg = parsed.data;
  for (const section of Object.keys(cfg) as (keyof StrictConfigFile)[]) {
    if (!SECTIONS[name].includes(section)) {
      throw problem(where, `${section} does not apply to --strict ${name} (it reads ${SECTIONS[name].join(', ')})`);
    }
  }
  const model = resolveModel(name, cfg.model ?? {}, where);
  const n = model.features.length;
  const tritonInput = cfg.triton?.input ?? [{ name: 'input__0', data_type: 'TYPE_FP32', dims: [n] }];
  const outWidth = model.output === 'probabilities' ? model.classes.length : 1;
  const tritonOutput = cfg.triton?.output ?? [{ name: 'output__0', data_type: 'TYPE_FP32', dims: [outWidth] }];
  const resolved: StrictConfig = {
    model,
    sklearn: {
      estimator: cfg.sklearn?.estimator ?? (cfg.sklearn?.categorical?.length ? 'Pipeline' : 'LogisticRegression'),
      featureNamesAtFit: cfg.sklearn?.featureNamesAtFit ?? Boolean(cfg.sklearn?.categorical?.length),
      categorical: cfg.sklearn?.categorical ?? [],
    },
    triton: { max_batch_size: cfg.triton?.max_batch_size ?? 64, input: tritonInput, output: tritonOutput },
    tfServing: {
      signatureName: cfg.tfServing?.signatureName ?? 'serving_default',
      inputs: cfg.tfServing?.inputs ?? { dense_input: { dtype: 'DT_FLOAT', shape: [-1, n] } },
      outputName: cfg.tfServing?.outputName ?? 'dense',
      estimator: cfg.tfServing?.estimator ?? false,
    },
    mlflow: {
      signature: cfg.mlflow?.signature ?? { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, n] } }] },
      predictions: cfg.mlflow?.predictions ?? 'ndarray',
      labelColumn: cfg.mlflow?.labelColumn ?? 'prediction',
    },
    cloudera: {
      accessKey: cfg.cloudera?.accessKey,
      argument: cfg.cloudera?.argument ?? 'record',
      deploymentCrn: cfg.cloudera?.deploymentCrn ?? 'crn:cdp:ml:us-west-1:modelwave:workspace:strict/telco',
      response: cfg.cloudera?.response ?? 'value',
      metrics: cfg.cloudera?.metrics ?? true,
      authorization: cfg.cloudera?.authorization,
    },
  };
  checkConsistency(name, resolved, where);
  return resolved;
}

function resolveModel(name: StrictName, m: NonNullable<StrictConfigFile['model']>, where: string): ModelConfig {
  if (m.logistic && m.softmax) throw problem(where, 'model has both logistic and softmax; keep one');
  const features = m.features ?? TELCO_FEATURES;
  if (new Set(features).size !== features.length) throw problem(where, 'model.features has a repeated name');
  let classes: ClassValue[];
  let logits: LinearClass[];
  if (m.softmax) {
    classes = m.softmax.map((c) => c.class);
    if (m.classes) throw problem(where, 'model.classes is not allowed with model.softmax (its entries name the classes)');
    logits = m.softmax.map((c) => ({ class: c.class, bias: c.bias ?? 0, weights: c.weights ?? {} }));
  } else {
    classes = m.classes ?? [0, 1];
    if (classes.length !== 2) throw problem(where, 'model.logistic is binary: model.classes must have 2 classes (use model.softmax for more)');
    const l = m.logistic ?? (m.features ? { bias: 0, weights: {} } : TELCO_LOGIT);
    logits = [{ class: classes[1], bias: l.bias ?? 0, weights: l.weights ?? {} }];
  }
  if (new Set(classes).size !== classes.length) throw problem(where, 'model classes must not repeat');
  for (const [i, l] of logits.entries()) {
    for (const f of Object.keys(l.weights)) {
      if (!features.includes(f)) {
        const at = m.softmax ? `model.softmax[${i}].weights.${f}` : `model.logistic.weights.${f}`;
        throw problem(where, `${at} is not one of model.features (${features.join(', ')})`);
      }
    }
  }
  const output = m.output ?? DEFAULT_OUTPUT[name];
  if (output === 'probability' && classes.length !== 2) throw problem(where, 'model.output probability needs a binary model');
  return { name: m.name ?? 'telco', features, classes, logits, output };
}

function checkConsistency(name: StrictName, c: StrictConfig, where: string): void {
  const n = c.model.features.length;
  for (const f of c.sklearn.categorical) {
    if (!c.model.features.includes(f)) throw problem(where, `sklearn.categorical: ${f} is not one of model.features`);
    if (c.model.logits.some((l) => (l.weights[f] ?? 0) !== 0)) throw problem(where, `sklearn.categorical: ${f} has a weight in the model; only numeric features can`);
  }
  if (name === 'triton') {
    if (c.triton.max_batch_size < 1) throw problem(where, 'triton.max_batch_size must be ≥ 1 (the strict Triton serves batching models)');
    const out = c.triton.output[0];
    const width = c.model.output === 'probabilities' ? c.model.classes.length : 1;
    if (out.dims.join() !== String(width)) throw problem(where, `triton.output[0].dims must be [${width}] for model.output ${c.model.output}`);
    if (c.model.output !== 'class' && !['TYPE_FP32', 'TYPE_FP64'].includes(out.data_type)) {
      throw problem(where, `triton.output[0].data_type must be TYPE_FP32 or TYPE_FP64 for model.output ${c.model.output}`);
    }
    const ins = c.triton.input;
    const single = ins.length === 1 && ins[0].dims.length === 1 && ins[0].dims[0] === n;
    const perFeature = ins.length === n && ins.every((t, i) => t.name === c.model.features[i] && t.dims.length === 1 && t.dims[0] === 1);
    if (!single && !perFeature) {
      throw problem(where, `triton.input must be one tensor with dims [${n}] or one tensor per feature named as model.features with dims [1]`);
    }
  }
  if (name === 'tf-serving-keras') {
    const names = Object.keys(c.tfServing.inputs);
    const single = names.length === 1 && c.tfServing.inputs[names[0]].shape.join() === `-1,${n}`;
    const perFeature = names.length === n && c.model.features.every((f) => c.tfServing.inputs[f]?.shape.join() === '-1');
    if (!single && !perFeature) {
      throw problem(where, `tfServing.inputs must be one input of shape [-1, ${n}] or one input of shape [-1] per model feature`);
    }
  }
  if (name === 'mlflow' || name === 'cml-registry') {
    const ins = c.mlflow.signature.inputs;
    const tensor = ins.length === 1 && ins[0].type === 'tensor' && ins[0]['tensor-spec'].shape.join() === `-1,${n}`;
    const columns = ins.length === n && ins.every((s, i) => 'name' in s && s.type !== 'tensor' && s.name === c.model.features[i]);
    if (!tensor && !columns) {
      throw problem(where, `mlflow.signature.inputs must be one tensor of shape [-1, ${n}] or one column per model feature, in order`);
    }
  }
}
