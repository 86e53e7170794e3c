// Shard flags and environment, the largest-remainder split and the clock estimate: pure functions, plus the CLI's
// exit 2 for every unusable combination (no Postgres needed: each is refused before anything is opened).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolveGroup, checkShardable, DEFAULT_BARRIER_TIMEOUT_MS } from '../../src/distributed/shard.js';
import { estimateOffset } from '../../src/distributed/clock.js';
import { shareOf } from '../../src/engine/task.js';
import { ModelwaveError } from '../../src/errors.js';
import { CLI } from '../engine/helpers.js';

const PGURL = 'postgres://u@db:5432/mw';

test('resolveGroup: flags, Indexed Job environment, and none', () => {
  assert.deepEqual(resolveGroup({ shard: '1/4', runGroup: 'g', store: PGURL }, {}), {
    shard: { index: 1, count: 4 },
    name: 'g',
    storeUrl: PGURL,
    barrierTimeoutMs: DEFAULT_BARRIER_TIMEOUT_MS,
  });
  // A Kubernetes Indexed Job: JOB_COMPLETION_INDEX per pod, the rest from the pod template's env.
  const env = { JOB_COMPLETION_INDEX: '3', MODELWAVE_SHARDS: '4', MODELWAVE_RUN_GROUP: 'wave-7', MODELWAVE_STORE: PGURL };
  assert.deepEqual(resolveGroup({ store: true }, env)?.shard, { index: 3, count: 4 });
  assert.equal(resolveGroup({ store: true, barrierTimeout: '5s' }, env)?.barrierTimeoutMs, 5000);
  // Flags win over the environment.
  assert.deepEqual(resolveGroup({ shard: '0/2', store: true }, env)?.shard, { index: 0, count: 2 });
  assert.equal(resolveGroup({ store: true }, {}), undefined);
});

test('resolveGroup: each unusable input is MW_USAGE naming the flag and the fix', () => {
  const cases: [string, Parameters<typeof resolveGroup>[0], NodeJS.ProcessEnv, RegExp][] = [
    ['I ≥ N', { shard: '4/4', runGroup: 'g', store: PGURL }, {}, /shard index 4 must be below the shard count 4/],
    ['not I/N', { shard: 'two', runGroup: 'g', store: PGURL }, {}, /--shard must look like I\/N/],
    ['N = 0', { shard: '0/0', runGroup: 'g', store: PGURL }, {}, /between 1 and 1024/],
    ['no group name', { shard: '0/2', store: PGURL }, {}, /--shard needs --run-group/],
    ['bad group name', { shard: '0/2', runGroup: 'a b', store: PGURL }, {}, /--run-group must be/],
    ['no store', { shard: '0/2', runGroup: 'g', store: true }, {}, /--shard needs --store postgres/],
    ['--no-store', { shard: '0/2', runGroup: 'g', store: false }, {}, /cannot be used with --no-store/],
    ['embedded store', { shard: '0/2', runGroup: 'g', store: '.modelwave/store' }, {}, /embedded store lives on one machine/],
    ['optional store', { shard: '0/2', runGroup: 'g', store: PGURL, storeOptional: true }, {}, /--store-optional cannot be used/],
    ['bad timeout', { shard: '0/2', runGroup: 'g', store: PGURL, barrierTimeout: 'soon' }, {}, /--barrier-timeout must look like/],
    ['group without shard', { runGroup: 'g', store: PGURL }, {}, /--run-group needs --shard/],
    ['N without index', { store: PGURL }, { MODELWAVE_SHARDS: '4', MODELWAVE_RUN_GROUP: 'g' }, /needs this shard's index in JOB_COMPLETION_INDEX/],
  ];
  for (const [why, flags, env, re] of cases) {
    assert.throws(() => resolveGroup(flags, env), (e: unknown) => e instanceof ModelwaveError && e.code === 'MW_USAGE' && re.test(e.message), why);
  }
});

test('checkShardable: a closed-loop phase must be the last', () => {
  const open = { kind: 'open', name: 'a' } as never;
  const closed = { kind: 'closed', name: 'c' } as never;
  assert.doesNotThrow(() => checkShardable({ load: { phases: [open, closed] } } as never));
  assert.throws(() => checkShardable({ load: { phases: [closed, open] } } as never), /load\.phases\[0\] \(c\) is closed loop and not the last phase/);
});

test('shareOf: largest remainder, shares sum to the total, ties to the lower index', () => {
  // 10 over 4 → 3, 3, 2, 2; 3 over 4 → 1, 1, 1, 0; 8 over 4 → 2 each.
  assert.deepEqual([0, 1, 2, 3].map((i) => shareOf(10, i, 4)), [3, 3, 2, 2]);
  assert.deepEqual([0, 1, 2, 3].map((i) => shareOf(3, i, 4)), [1, 1, 1, 0]);
  assert.deepEqual([0, 1, 2, 3].map((i) => shareOf(8, i, 4)), [2, 2, 2, 2]);
  for (let total = 0; total < 50; total++) {
    for (let n = 1; n < 9; n++) {
      const s = Array.from({ length: n }, (_, i) => shareOf(total, i, n));
      assert.equal(s.reduce((a, b) => a + b, 0), total);
      assert.ok(Math.max(...s) - Math.min(...s) <= 1);
    }
  }
});

test('estimateOffset keeps the minimum-RTT sample: offset = server − midpoint, uncertainty = RTT/2', () => {
  // Local clock 1000 ms behind the server. Sample 2 has the shortest round trip (2 ms) but an asymmetric delay.
  const samples = [
    { tSendMs: 0, serverMs: 1005, tRecvMs: 10 }, // rtt 10 → offset 1000
    { tSendMs: 20, serverMs: 1021.5, tRecvMs: 22 }, // rtt 2 → offset 1000.5
    { tSendMs: 30, serverMs: 1040, tRecvMs: 38 }, // rtt 8 → offset 1006
  ];
  const o = estimateOffset(samples);
  assert.equal(o.offsetMs, 1000.5);
  assert.equal(o.uncertaintyMs, 1);
  assert.equal(o.rttMs, 2);
  assert.equal(o.samples, 3);
  // The true offset (1000) lies within the bound.
  assert.ok(Math.abs(1000 - o.offsetMs) <= o.uncertaintyMs);
  assert.throws(() => estimateOffset([]));
});

test('CLI: usage errors exit 2 with the message and no stack trace', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, MODELWAVE_STORE: '' } });
  for (const [args, re] of [
    [['run', 'scenarios/telco.yaml', '--shard', '2/2', '--run-group', 'g', '--store', PGURL], /shard index 2 must be below the shard count 2/],
    [['run', 'scenarios/telco.yaml', '--shard', '0/2', '--run-group', 'g'], /--shard needs --store postgres/],
    [['run', 'scenarios/telco.yaml', '--shard', '0/2', '--run-group', 'g', '--store', '/tmp/embedded'], /embedded store/],
    [['merge', 'g', '--store', '/tmp/embedded'], /merge needs a Postgres store/],
    [['merge', 'g'], /merge needs --store postgres/],
  ] as [string[], RegExp][]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('toBatch: stored rows back into the engine’s batch (NULL → NaN; arrays when a request has several rows)', async () => {
  const { toBatch } = await import('../../src/distributed/merge.js');
  const row = {
    seq: 7, phase: 1, worker: 0, intended_us: 1500, sent_us: null, received_us: null, outcome: 5, status_code: null, error_code: 12, uuid: null,
    prediction: null, probability: null, label: null, predictions: [1, null], probabilities: [0.9, null], labels: [1, 0],
  };
  const b = toBatch([row], 2, { every: 5, spanUs: 0 });
  assert.equal(b.count, 1);
  assert.equal(b.seq[0], 7);
  assert.equal(b.window[0], 1, 'seq 7 is in the second window of 5');
  assert.ok(Number.isNaN(b.sentUs[0]) && Number.isNaN(b.receivedUs[0]));
  assert.deepEqual([...b.prediction], [1, NaN]);
  assert.deepEqual([...b.probability], [0.9, NaN]);
  assert.deepEqual([...b.label], [1, 0]);
  assert.deepEqual([...b.readAs], [1, 0]);
  assert.equal(b.uuid[0], '');
  const one = toBatch([{ ...row, prediction: 0, probability: 0.2, label: 1, predictions: null, probabilities: null, labels: null }], 1, { every: 0, spanUs: 1000 });
  assert.deepEqual([one.prediction[0], one.probability[0], one.label[0]], [0, 0.2, 1]);
  assert.equal(one.window[0], 1, 'intended at 1,500 µs: the second span window of 1 ms');
});
