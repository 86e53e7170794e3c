// The two kinds of rows every closed-loop and open-loop case of issue #19 runs: the telco rows (the rows a user
// writes: scenarios/telco.yaml's data with its faker device_id field, sent as an MLflow dataframe_split) and the light
// rows (no faker field, a flat Cloudera request). Each kind has its closed-loop and open-loop scenario, the endpoint of
// a target it is sent to, and the one body the peers send in its place.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Target } from './targets.js';
import { PEER_BODY, SCENARIOS, TELCO_PEER_BODY } from './tools.js';

export type RowKind = 'telco' | 'light';

export interface Rows {
  kind: RowKind;
  /** How the tables name modelwave with these rows. */
  gen: `modelwave ${RowKind}`;
  what: string;
  closed: string;
  open: string;
  endpoint: (t: Target) => string;
  peerBody: string;
}

export const ROWS: Record<RowKind, Rows> = {
  telco: {
    kind: 'telco',
    gen: 'modelwave telco',
    what: 'telco rows (scenarios/telco.yaml\'s data: faker `device_id`; mlflow-split)',
    closed: 'closed-telco.yaml',
    open: 'open-5k.yaml',
    endpoint: (t) => t.mlflowEndpoint,
    peerBody: TELCO_PEER_BODY,
  },
  light: {
    kind: 'light',
    gen: 'modelwave light',
    what: 'light rows (no faker field; Cloudera flat)',
    closed: 'closed-50.yaml',
    open: 'open-5k-light.yaml',
    endpoint: (t) => t.endpoint,
    peerBody: PEER_BODY,
  },
};

const TELCO = fileURLToPath(new URL('../../../scenarios/telco.yaml', import.meta.url));

const fieldsOf = (file: string): unknown => (parseYaml(readFileSync(file, 'utf8')) as { data?: { fields?: unknown } }).data?.fields;

/**
 * The telco-row scenarios must generate scenarios/telco.yaml's rows, and both light-row scenarios the same rows: a
 * drift between the copies would measure rows nobody writes. Throws with the file to fix.
 */
export function checkRowScenarios(): void {
  const telco = fieldsOf(TELCO);
  for (const f of [ROWS.telco.closed, ROWS.telco.open]) {
    if (!isDeepStrictEqual(fieldsOf(`${SCENARIOS}${f}`), telco)) {
      throw new Error(`bench/scenarios/${f}: data.fields differ from scenarios/telco.yaml's — copy them over (the telco rows are the rows a user writes)`);
    }
  }
  if (!isDeepStrictEqual(fieldsOf(`${SCENARIOS}${ROWS.light.open}`), fieldsOf(`${SCENARIOS}${ROWS.light.closed}`))) {
    throw new Error(`bench/scenarios/${ROWS.light.open}: data.fields differ from ${ROWS.light.closed}'s — the light rows must be the same in both`);
  }
}
