// Where the reference server answers each protocol; the engine resolves `builtin:telco@v1` + protocol with this.
import type { Protocol } from '../spec/types.js';

export const PATHS = {
  cloudera: '/model',
  mlflow: '/invocations',
  kserveV1: '/v1/models/telco:predict',
  kserveV2: '/v2/models/telco/infer',
  template: '/template',
  feedback: '/feedback',
  stats: '/stats',
  statsReset: '/stats/reset',
  health: '/health',
} as const;

export function defaultPath(protocol: Protocol): string {
  switch (protocol) {
    case 'cloudera':
      return PATHS.cloudera;
    case 'mlflow-split':
    case 'mlflow-records':
      return PATHS.mlflow;
    case 'kserve-v1':
    case 'tf-serving':
      return PATHS.kserveV1;
    case 'kserve-v2':
      return PATHS.kserveV2;
    case 'template':
      return PATHS.template;
  }
}
