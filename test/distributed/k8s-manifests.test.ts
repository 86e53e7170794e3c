// examples/kubernetes stays true to the CLI: every `modelwave` flag in the manifests exists in that command's
// --help, the environment the shard Job sets is what resolveGroup reads (N = completions = parallelism), the Job is
// Indexed with no per-index retries and one shard per node, and the ConfigMap's scenario is valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { resolveGroup } from '../../src/distributed/shard.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { CLI } from '../engine/helpers.js';

const DIR = fileURLToPath(new URL('../../../examples/kubernetes/', import.meta.url));

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
// Parsed manifests: plain YAML data, read by the paths Kubernetes defines.
type Doc = Record<string, any>;

const docs: { file: string; doc: Doc }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((d) => ({ file, doc: d.toJS() as Doc })));
const jobs = docs.filter((d) => d.doc.kind === 'Job');
const containersOf = (job: Doc): Container[] => job.spec.template.spec.containers as Container[];
const help = new Map<string, string>();
const helpOf = (cmd: string): string => {
  if (!help.has(cmd)) {
    const r = spawnSync(process.execPath, [CLI, cmd, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    help.set(cmd, r.stdout);
  }
  return help.get(cmd)!;
};

test('the manifests parse: two Jobs (shards, merge), a ConfigMap and a Secret', () => {
  assert.deepEqual(docs.map((d) => d.doc.kind).sort(), ['ConfigMap', 'Job', 'Job', 'Secret']);
});

test('every modelwave flag in the manifests is in that command’s --help', () => {
  let checked = 0;
  for (const { file, doc } of jobs) {
    for (const c of containersOf(doc)) {
      const [cmd, ...rest] = c.args ?? [];
      assert.ok(cmd === 'run' || cmd === 'merge', `${file}: ${c.name} runs a modelwave command (got ${cmd})`);
      for (const flag of rest.filter((a) => a.startsWith('--'))) {
        const name = flag.split('=')[0];
        assert.match(helpOf(cmd), new RegExp(`(^|[\\s,])${name.replace(/[-]/g, '\\-')}([\\s,<]|$)`, 'm'), `${file}: ${cmd} ${name} is not in \`modelwave ${cmd} --help\``);
        checked++;
      }
    }
  }
  assert.ok(checked >= 4, `checked ${checked} flags`);
});

test('the shard Job: Indexed, N = completions = parallelism = MODELWAVE_SHARDS, no retries, one shard per node', () => {
  const job = jobs.find((j) => j.doc.spec.completionMode === 'Indexed')!.doc;
  const spec = job.spec;
  assert.equal(spec.completions, spec.parallelism);
  assert.equal(spec.backoffLimitPerIndex, 0);
  assert.equal(spec.template.spec.restartPolicy, 'Never');
  const anti = spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
  assert.equal(anti.topologyKey, 'kubernetes.io/hostname');
  assert.deepEqual(anti.labelSelector.matchLabels, spec.template.metadata.labels);
  const [c] = containersOf(job);
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
  assert.equal(Number(env.MODELWAVE_SHARDS.value), spec.completions);
  assert.ok(env.MODELWAVE_RUN_GROUP.valueFrom, 'the group name comes from the Job (unique per kubectl create)');
  assert.ok(env.MODELWAVE_STORE.valueFrom, 'the store URL comes from the Secret');
  // What each pod's modelwave sees: Kubernetes adds JOB_COMPLETION_INDEX and the job-name label.
  const secret = docs.find((d) => d.doc.kind === 'Secret')!.doc;
  for (let i = 0; i < spec.completions; i++) {
    const g = resolveGroup({ store: true }, { JOB_COMPLETION_INDEX: String(i), MODELWAVE_SHARDS: env.MODELWAVE_SHARDS.value, MODELWAVE_RUN_GROUP: 'modelwave-wave-x7k2p', MODELWAVE_STORE: secret.stringData.url });
    assert.deepEqual(g?.shard, { index: i, count: spec.completions });
  }
});

test('the scenario the shards mount is the ConfigMap’s, and it is valid', () => {
  const job = jobs.find((j) => j.doc.spec.completionMode === 'Indexed')!.doc;
  const [c] = containersOf(job);
  const file = c.args![1];
  const mount = c.volumeMounts!.find((m) => file.startsWith(`${m.mountPath}/`))!;
  const vol = (job.spec.template.spec.volumes as Doc[]).find((v) => v.name === mount.name)!;
  const cm = docs.find((d) => d.doc.kind === 'ConfigMap' && d.doc.metadata.name === vol.configMap.name)!.doc;
  const key = file.slice(mount.mountPath.length + 1);
  const s = parseScenarioText(cm.data[key], '/scenario/scenario.yaml');
  assert.equal(s.name, 'churn-model-wave');
  assert.ok(s.thresholds.length > 0);
});
