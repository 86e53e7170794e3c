// Distributed runs end to end: shards as local processes against one reference server, a shared Postgres store
// (MODELWAVE_TEST_PG; each test file works in a fresh schema dropped at the end), `modelwave merge`.
// What must hold: the union of the shards IS the single-machine run (same request rows, counts, accuracy, confusion),
// the merged latency histogram is the histogram of the union of the stored latencies, a missing shard makes the
// others exit 3 with nothing sent, and a shard that dies mid-run makes the group INVALID naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Summary } from '../../src/summary/types.js';
import { createHistogram, decodeHistogram, encodeHistogram, initHistograms, recordUs } from '../../src/stats/hist.js';
import { CLI, startServer, writeTelcoFile, type ServerProcess } from '../engine/helpers.js';

const BASE = process.env.MODELWAVE_TEST_PG;

interface Done {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (c: ChildProcess) => void): Promise<Done> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), 90_000); // nothing hangs the suite
    c.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    onSpawn?.(c);
  });
}

if (!BASE) {
  test('distributed runs', (t) => t.skip('needs Postgres: set MODELWAVE_TEST_PG=postgres://…'));
} else {
  const schema = `mw_dist_${process.pid}_${Date.now().toString(36)}`;
  const url = `${BASE}${BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-dist-'));
  let admin: pg.Client;
  let server: ServerProcess;
  let file: string;

  before(async () => {
    await initHistograms();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    server = await startServer(['--model', 'telco@v2']);
    // Uniform open loop, 300 requests over 2 s, windows of 40 requests: shards interleave inside every window.
    file = writeTelcoFile(dir, {
      name: 'dist',
      target: `${server.url}/model`,
      phases: '[{ name: warm, duration: 500ms, rate: 40, warmup: true }, { name: steady, duration: 2s, rate: 150 }]',
      // rps >= 120 holds for the group (150 rps) and for no shard of 2 or 4 on its own: shards must not judge it.
      extra: 'seed: 11\nwindows: { every: 40 }\nthresholds:\n  errors.rate: "< 1%"\n  rps: ">= 120"\n',
    });
  });

  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Row {
    seq: number;
    phase: number;
    intended_us: number;
    outcome: number;
    label: number | null;
    prediction: number | null;
    uuid: string | null;
  }
  const rowsOf = async (runIds: string[]): Promise<Row[]> =>
    (await admin.query<Row>(
      'SELECT seq::int AS seq, phase, intended_us, outcome, label, prediction, uuid FROM requests WHERE run_id = ANY($1) ORDER BY seq',
      [runIds],
    )).rows;
  const shardRunIds = async (group: string): Promise<string[]> =>
    (await admin.query<{ run_id: string }>('SELECT run_id FROM run_group_shards WHERE group_name = $1 ORDER BY shard', [group])).rows.map((r) => r.run_id);
  const report = (d: string) => JSON.parse(readFileSync(path.join(d, 'report.json'), 'utf8')) as Summary;

  let single: { summary: Summary; rows: Row[] };

  test('single-machine reference run', async () => {
    const out = path.join(dir, 'single');
    const r = await cli(['run', file, '--store', url, '--quiet', '--workers', '1', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const summary = report(out);
    single = { summary, rows: await rowsOf([summary.run.id]) };
    assert.equal(single.rows.length, 20 + 300);
  });

  for (const n of [1, 2, 4]) {
    test(`${n} shard(s): the merged group is the single-machine run, row by row; its histogram is the union's`, async () => {
      const group = `g${n}-${Date.now().toString(36)}`;
      const runs = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          // Shard 0 from flags; the others as a Kubernetes Indexed Job would start them (environment only).
          i === 0
            ? cli(['run', file, '--shard', `0/${n}`, '--run-group', group, '--store', url, '--quiet', '--workers', '1', '--out', path.join(dir, `${group}-0`)])
            : cli(['run', file, '--store', url, '--quiet', '--workers', '1', '--out', path.join(dir, `${group}-${i}`)], {
                JOB_COMPLETION_INDEX: String(i),
                MODELWAVE_SHARDS: String(n),
                MODELWAVE_RUN_GROUP: group,
              }),
        ),
      );
      runs.forEach((r, i) => assert.equal(r.status, 0, `shard ${i}: ${r.stderr}`));
      const out = path.join(dir, `${group}-merged`);
      const m = await cli(['merge', group, '--store', url, '--quiet', '--out', out]);
      assert.equal(m.status, 0, m.stderr);
      const merged = report(out);

      // Rows: the same sequence numbers, phases, intended times, labels, predictions and outcomes; each shard took k ≡ I (mod N).
      const ids = await shardRunIds(group);
      assert.equal(ids.length, n);
      const rows = await rowsOf(ids);
      const strip = ({ uuid: _u, ...r }: Row) => r;
      assert.deepEqual(rows.map(strip), single.rows.map(strip));
      for (let i = 0; i < n; i++) {
        const own = await rowsOf([ids[i]]);
        assert.ok(own.length > 0 && own.every((r) => r.seq % n === i), `shard ${i} holds only k ≡ ${i} (mod ${n})`);
      }
      // Server uuids come from the server's counter, so they differ between runs: each request has one, none twice.
      assert.ok(rows.every((r) => r.uuid && r.uuid.length === 36));
      assert.equal(new Set(rows.map((r) => r.uuid)).size, rows.length);

      // Counts, accuracy, confusion, per-window counts and accuracy: equal to the single-machine run's.
      assert.deepEqual(merged.totals.requests, single.summary.totals.requests);
      assert.equal(merged.totals.accuracy, single.summary.totals.accuracy);
      assert.deepEqual(merged.totals.classification?.confusion, single.summary.totals.classification?.confusion);
      assert.deepEqual(
        merged.windows.map((w) => [w.index, w.requests, w.accuracy, w.confusion]),
        single.summary.windows.map((w) => [w.index, w.requests, w.accuracy, w.confusion]),
      );
      assert.equal(merged.thresholds.length, 2);
      assert.ok(merged.thresholds.every((t) => t.pass));
      assert.equal(merged.totals.rps, single.summary.totals.rps);
      // The last shard to finish merged the group on its own, into <its report folder>/group: exactly one did.
      const auto = Array.from({ length: n }, (_, i) => path.join(dir, `${group}-${i}`, 'group')).filter((d) => existsSync(path.join(d, 'report.json')));
      assert.equal(auto.length, 1);
      assert.deepEqual(report(auto[0]).totals, merged.totals);

      // The merged latency histogram is the histogram of the union of the shards' stored latencies (measured phase).
      const lat = (await admin.query<{ latency_us: number }>(
        'SELECT latency_us FROM requests WHERE run_id = ANY($1) AND outcome <> 5 AND phase = 1',
        [ids],
      )).rows;
      const h = createHistogram();
      for (const r of lat) recordUs(h, r.latency_us);
      const got = decodeHistogram(merged.totals.latencyHistogram);
      assert.equal(got.totalCount, 300);
      assert.equal(encodeHistogram(got), encodeHistogram(h));
      for (const q of [50, 90, 99, 100]) assert.equal(got.getValueAtPercentile(q), h.getValueAtPercentile(q));
      h.destroy();
      got.destroy();

      // The per-shard table: every shard completed, started on time, with a measured clock offset.
      const g = merged.group!;
      assert.equal(g.verdict, 'VALID', g.problems.join('; '));
      assert.equal(g.perShard.length, n);
      assert.equal(g.perShard.reduce((a, p) => a + p.sent, 0), 300);
      for (const p of g.perShard) {
        assert.equal(p.status, 'completed');
        assert.ok(p.clockUncertaintyMs !== undefined && p.clockUncertaintyMs >= 0 && p.clockUncertaintyMs < 50);
        assert.ok(p.startSkewMs !== undefined && p.startSkewMs < 50, `shard ${p.index} skew ${p.startSkewMs}`);
      }
      assert.match(readFileSync(path.join(out, 'group.md'), 'utf8'), /\| shard \| status \| sent \|/);
    });
  }

  test('Poisson arrivals on a stepped ramp, 3 shards: the same seeded arrival times and rows as one machine', async () => {
    const poisson = writeTelcoFile(dir, {
      name: 'dist-poisson',
      target: `${server.url}/model`,
      phases: '[{ duration: 2s, rate: 40, rampTo: 160, steps: 4, arrivals: poisson }]',
      extra: 'seed: 23\n',
    });
    const out = path.join(dir, 'poisson-single');
    const one = await cli(['run', poisson, '--store', url, '--quiet', '--workers', '1', '--out', out]);
    assert.equal(one.status, 0, one.stderr);
    const ref = await rowsOf([report(out).run.id]);
    assert.ok(ref.length > 100);
    const group = `poisson-${Date.now().toString(36)}`;
    const runs = await Promise.all([0, 1, 2].map((i) => cli(['run', poisson, '--shard', `${i}/3`, '--run-group', group, '--store', url, '--quiet', '--workers', '1', '--out', path.join(dir, `${group}-${i}`)])));
    runs.forEach((r, i) => assert.equal(r.status, 0, `shard ${i}: ${r.stderr}`));
    const strip = ({ uuid: _u, ...r }: Row) => r;
    assert.deepEqual((await rowsOf(await shardRunIds(group))).map(strip), ref.map(strip));
  });

  test('closed loop, 3 shards: concurrency split by largest remainder, the request cap split so the union is seq 0…199 with the single run’s rows', async () => {
    const closed = writeTelcoFile(dir, { name: 'dist-closed', target: `${server.url}/model`, phases: '[{ concurrency: 4, requests: 200 }]', extra: 'seed: 11\n' });
    const out = path.join(dir, 'closed-single');
    const one = await cli(['run', closed, '--store', url, '--quiet', '--workers', '1', '--out', out]);
    assert.equal(one.status, 0, one.stderr);
    const ref = await rowsOf([report(out).run.id]);
    const group = `closed-${Date.now().toString(36)}`;
    const runs = await Promise.all([0, 1, 2].map((i) => cli(['run', closed, '--shard', `${i}/3`, '--run-group', group, '--store', url, '--quiet', '--workers', '1', '--out', path.join(dir, `${group}-${i}`)])));
    runs.forEach((r, i) => assert.equal(r.status, 0, `shard ${i}: ${r.stderr}`));
    const ids = await shardRunIds(group);
    const rows = await rowsOf(ids);
    // Closed loop has no intended schedule to share: the same requests (seq, row, label, prediction), sent when a slot frees.
    const key = ({ seq, phase, outcome, label, prediction }: Row) => ({ seq, phase, outcome, label, prediction });
    assert.deepEqual(rows.map(key), ref.map(key));
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 200 }, (_, i) => i));
    // Shard I sent ceil((200 − I)/3) requests: 67, 67, 66.
    const per = await Promise.all(ids.map(async (id) => (await rowsOf([id])).length));
    assert.deepEqual(per, [67, 67, 66]);
    const m = await cli(['merge', group, '--store', url, '--quiet', '--out', path.join(dir, `${group}-merged`)]);
    assert.equal(m.status, 0, m.stderr);
  });

  test('a shard that never arrives: the others exit 3 after the barrier timeout, nothing sent', async () => {
    const before = (await server.stats()).requests;
    const group = `missing-${Date.now().toString(36)}`;
    const t0 = Date.now();
    const runs = await Promise.all(
      [0, 1].map((i) => cli(['run', file, '--shard', `${i}/3`, '--run-group', group, '--store', url, '--quiet', '--workers', '1', '--barrier-timeout', '3s', '--out', path.join(dir, `${group}-${i}`)])),
    );
    for (const r of runs) {
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /start barrier timed out after 3 s with [12] of 3 shards registered \(missing: [0-9, ]*2\); nothing was sent/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.ok(Date.now() - t0 >= 3000);
    assert.equal((await server.stats()).requests, before, 'the server saw no request');
    const ids = await shardRunIds(group);
    assert.equal((await rowsOf(ids)).length, 0);
    const st = (await admin.query<{ status: string }>('SELECT status FROM run_group_shards WHERE group_name = $1', [group])).rows;
    assert.deepEqual(st.map((s) => s.status), ['timed-out', 'timed-out']);
    // The merged verdict names the shard that never came.
    const m = await cli(['merge', group, '--store', url, '--quiet', '--out', path.join(dir, `${group}-merged`)]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /INVALID: .*shard 2 never registered/);
  });

  test('a shard that dies mid-run: the merged verdict is INVALID naming it', async () => {
    const group = `dies-${Date.now().toString(36)}`;
    let victim: ChildProcess | undefined;
    const runs = await Promise.all(
      [0, 1].map((i) =>
        cli(['run', file, '--shard', `${i}/2`, '--run-group', group, '--store', url, '--quiet', '--workers', '1', '--out', path.join(dir, `${group}-${i}`)], {}, (c) => {
          if (i === 1) victim = c;
        }),
      ).concat(
        (async () => {
          // Kill shard 1 once the group has started (T0 fixed) and half a second of the wave has run.
          for (;;) {
            const r = await admin.query<{ t0: number | null }>('SELECT (extract(epoch FROM start_at) * 1000)::float8 AS t0 FROM run_groups WHERE name = $1', [group]).catch(() => ({ rows: [] }));
            const t0 = r.rows[0]?.t0;
            if (t0 != null) {
              await new Promise((res) => setTimeout(res, Math.max(0, t0 - Date.now()) + 1000));
              victim?.kill('SIGKILL');
              return { status: 0, stdout: '', stderr: '' } as Done;
            }
            await new Promise((res) => setTimeout(res, 50));
          }
        })(),
      ),
    );
    assert.equal(runs[0].status, 0, runs[0].stderr);
    assert.equal(runs[1].status, null, 'shard 1 was killed');
    const m = await cli(['merge', group, '--store', url, '--quiet', '--out', path.join(dir, `${group}-merged`)]);
    assert.equal(m.status, 1, m.stderr);
    assert.match(m.stderr, /INVALID: .*shard 1 did not finish \(last status: started/);
    const g = (JSON.parse(readFileSync(path.join(dir, `${group}-merged`, 'group.json'), 'utf8')) as NonNullable<Summary['group']>);
    assert.equal(g.verdict, 'INVALID');
    assert.equal(g.perShard[0].status, 'completed');
  });
}
