// Test helpers: the reference server as a separate process (so it never shares the test's event loop), and
// scenarios written inline.
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/spec/types.js';
import type { ServerStats } from '../../src/server/reference.js';
import { spawnReferenceServer } from '../../src/server/spawn.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface ServerProcess {
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

export async function startServer(args: string[] = []): Promise<ServerProcess> {
  const { origin: url, stop } = await spawnReferenceServer(args, { stderr: 'inherit' });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as ServerStats,
    stop: () => stop(),
  };
}

/** Write a small telco scenario file (two signals, the telco label model) into `dir` and return its path. */
export function writeTelcoFile(dir: string, o: { name: string; target: string; timeout?: string; phases: string; extra?: string }): string {
  const file = path.join(dir, `${o.name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: ${o.name}
target: { url: "${o.target}", protocol: cloudera, timeout: ${o.timeout ?? '2s'} }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  phases: ${o.phases}
${o.extra ?? ''}
`,
  );
  return file;
}

/** A telco scenario against `url` with the given load/target YAML fragments. */
export function telcoScenario(url: string, load: string, opts: { timeout?: string; extra?: string } = {}): Scenario {
  const text = `
name: engine-test
seed: 7
target: { url: "${url}", protocol: cloudera, timeout: ${opts.timeout ?? '2s'} }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_2: { plus: [iot_signal_1, { int: [0, 2] }] }
    iot_signal_3: { int: [50, 55] }
    iot_signal_4: { int: [100, 107] }
label:
  name: cell_tower_failure
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
${load}
${opts.extra ?? ''}
`;
  return parseScenarioText(text, '/tmp/engine-test.yaml');
}
