// What a run group keeps of its scenario, and the fingerprint every shard's scenario must match.
import { createHash } from 'node:crypto';
import type { Scenario } from '../spec/types.js';

/**
 * The parts of a normalized scenario that `merge` needs to rebuild the group's Summary (summarize, thresholds,
 * labels): no target URL, headers, data source or credentials — the as-written copy is the redacted one.
 */
export type GroupScenario = Pick<Scenario, 'name' | 'seed' | 'load' | 'windows' | 'label' | 'thresholds' | 'redacted'> & {
  target: Pick<Scenario['target'], 'protocol' | 'rowsPerRequest'>;
};

export function groupScenarioOf(s: Scenario): GroupScenario {
  return {
    name: s.name,
    seed: s.seed,
    load: s.load,
    windows: s.windows,
    ...(s.label !== undefined && { label: s.label }),
    thresholds: s.thresholds,
    redacted: s.redacted,
    target: { protocol: s.target.protocol, rowsPerRequest: s.target.rowsPerRequest },
  };
}

/**
 * sha256 over what makes shards' requests agree: the group scenario, the data spec (rows and labels come from it)
 * and the target URL. A hash: the URL and data spec may hold credentials, and are never stored.
 */
export function fingerprintOf(s: Scenario): string {
  const { redacted: _redacted, ...rest } = groupScenarioOf(s);
  return createHash('sha256').update(JSON.stringify({ rest, data: s.data, url: s.target.url })).digest('hex');
}
