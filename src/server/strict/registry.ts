// The strict stand-in servers by name: `modelwave serve --strict NAME`. Each accepts exactly what the real server
// accepts and answers exactly as it answers (the rules and their sources are in each server's file); the lenient
// reference server (../reference.ts) stays the telco demo's.
import { type StrictConfig, loadStrictConfig, resolveStrictConfig } from './config.js';
import type { StrictName } from './names.js';
import { type RunningStrictServer, type StrictHandler, listenStrict } from './http.js';
import { kserveSklearn } from './kserve-sklearn.js';
import { mlserver } from './mlserver.js';
import { triton } from './triton.js';
import { tfServingKeras } from './tf-serving.js';
import { mlflowServer } from './mlflow.js';
import { METRICS_PATH, cmlRecord, cmlRegistry } from './cloudera.js';

export { STRICT_NAMES, type StrictName, isStrictName } from './names.js';

interface StrictServerSpec {
  description: string;
  create(cfg: StrictConfig): StrictHandler;
  /** Prediction paths, for the listening line and the docs. */
  paths(cfg: StrictConfig): string[];
}

const SPECS: Record<StrictName, StrictServerSpec> = {
  'kserve-sklearn': {
    description: 'KServe sklearnserver (V1 and Open Inference Protocol V2)',
    create: kserveSklearn,
    paths: (c) => [`/v1/models/${c.model.name}:predict`, `/v2/models/${c.model.name}/infer`],
  },
  mlserver: {
    description: 'MLServer, SKLearn runtime (Open Inference Protocol V2)',
    create: mlserver,
    paths: (c) => [`/v2/models/${c.model.name}/infer`],
  },
  triton: {
    description: 'Triton Inference Server HTTP/REST (KServe V2) with a batching model config',
    create: triton,
    paths: (c) => [`/v2/models/${c.model.name}/infer`, `/v2/models/${c.model.name}/config`],
  },
  'tf-serving-keras': {
    description: 'TensorFlow Serving REST predict API with a Keras model',
    create: tfServingKeras,
    paths: (c) => [`/v1/models/${c.model.name}:predict`, `/v1/models/${c.model.name}/metadata`],
  },
  mlflow: {
    description: 'MLflow scoring server (mlflow models serve), sklearn flavor with a signature',
    create: mlflowServer,
    paths: () => ['/invocations'],
  },
  'cml-record': {
    description: 'Cloudera AI model endpoint, AMP-style function reading request["record"]',
    create: cmlRecord,
    paths: () => ['/model', METRICS_PATH],
  },
  'cml-registry': {
    description: 'Cloudera AI model deployed from the Model Registry (an MLflow payload inside request)',
    create: cmlRegistry,
    paths: () => ['/model', METRICS_PATH],
  },
};

interface StrictServerOptions {
  /** `--strict-config FILE`; or `config` already parsed (tests). */
  configFile?: string;
  config?: unknown;
  host?: string;
  port?: number;
}

export interface StartedStrictServer extends RunningStrictServer {
  name: StrictName;
  description: string;
  paths: string[];
  config: StrictConfig;
}

export async function startStrictServer(name: StrictName, opts: StrictServerOptions = {}): Promise<StartedStrictServer> {
  const spec = SPECS[name];
  const config = opts.config !== undefined ? resolveStrictConfig(name, opts.config) : loadStrictConfig(name, opts.configFile);
  const running = await listenStrict(name, spec.create(config), { host: opts.host, port: opts.port });
  return { ...running, name, description: spec.description, paths: spec.paths(config), config };
}
