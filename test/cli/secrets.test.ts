// Planted secrets never leave the process: a query secret (?api_key=, ?accessKey= — the Cloudera way), URL userinfo
// (user:password@), a bearer token and an access key through ${ENV}, a feedback URL with both, and store URLs with a
// password. Every command a user runs is run (validate, run against the reference server, run against an
// unreachable target, run with a spooling store, compare live and from runs, runs, show, export, report, store
// import), and every output is searched: stdout, stderr, every file the commands wrote (reports, the embedded store's
// files, spool files) and every stored row in Postgres (that half says it is skipped without MODELWAVE_TEST_PG).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Summary } from '../../src/summary/types.js';
import { spawnReferenceServer, type SpawnedServer } from '../../src/server/spawn.js';
import { CLI } from '../engine/helpers.js';

// The Postgres half needs a database it may fill (its public schema is searched row by row afterwards).
const PG = process.env.MODELWAVE_TEST_PG;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Every planted secret, and the Basic credentials the userinfo turns into. */
const PLANTED = ['PLANTED', b64('user:PLANTED-PW'), b64('fb:PLANTED-FB-PW'), b64('b:PLANTED-PWB'), 'PLANTED-SECRET-123'];

const root = mkdtempSync(join(tmpdir(), 'mw-secrets-'));
const inputs = join(root, 'in'); // the scenario files hold the secrets as written: not an output
const work = join(root, 'work'); // cwd of every command: reports/, .modelwave/store, .modelwave/spool land here
mkdirSync(inputs);
mkdirSync(work);
const env = { ...process.env, MW_PLANT_TOKEN: 'PLANTED-TOKEN', MW_PLANT_AK: 'PLANTED-AK', MODELWAVE_DEBUG: '', MODELWAVE_STORE: '' };

interface Result {
  cmd: string;
  status: number | null;
  out: string;
}
const outputs: Result[] = [];
function mw(...args: string[]): Result {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  const res = { cmd: args.join(' '), status: r.status, out: `${r.stdout}\n${r.stderr}` };
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s: modelwave ${args[0]}`);
  outputs.push(res);
  return res;
}

const body = (url: string, extra = '') => `target:
  url: "${url}"
  protocol: cloudera
${extra}data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  phases:
    - { requests: 40, rate: 200 }
`;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function leaks(text: string): string[] {
  return PLANTED.filter((s) => text.includes(s));
}

let v1: SpawnedServer;
let v2: SpawnedServer;
let hostPort = '';
const bearer = join(inputs, 'bearer.yaml');
const userinfo = join(inputs, 'userinfo.yaml');

before(async () => {
  v1 = await spawnReferenceServer(['--model', 'telco@v1']);
  v2 = await spawnReferenceServer(['--model', 'telco@v2']);
  hostPort = v1.origin.replace('http://', '');
  writeFileSync(
    bearer,
    body(
      `http://${hostPort}/model?api_key=PLANTED-SECRET-123&accessKey=PLANTED-ACCESSKEY-Q`,
      '  accessKey: "${MW_PLANT_AK}"\n  headers:\n    Authorization: "Bearer ${MW_PLANT_TOKEN}"\n',
    ) +
      `feedback:\n  url: "http://fb:PLANTED-FB-PW@${hostPort}/feedback?token=PLANTED-FB-TOKEN"\n  after: 10ms\n`,
  );
  writeFileSync(userinfo, body(`http://user:PLANTED-PW@${hostPort}/model?api_key=PLANTED-SECRET-123`));
});
after(async () => {
  await v1?.stop();
  await v2?.stop();
});

/** Every stdout and stderr so far, and every file written (reports, comparison, the embedded store's files, spools). */
function assertNothingLeaked(): void {
  for (const r of outputs) assert.deepEqual(leaks(r.out), [], `${r.cmd} printed a secret:\n${r.out}`);
  for (const f of filesUnder(work)) assert.deepEqual(leaks(readFileSync(f).toString('latin1')), [], `${f} holds a secret`);
}

test('planted secrets appear in no output of any command', async () => {
  // validate prints the plan, the target and the feedback URL
  const val = mw('validate', bearer, userinfo);
  assert.equal(val.status, 0, val.out);
  assert.match(val.out, /target: +http:\/\/127\.0\.0\.1:\d+\/model\?api_key=REDACTED&accessKey=REDACTED  protocol cloudera/);

  // run against the reference server (embedded store), with feedback; then with --json
  const run1 = mw('run', bearer, '--out', 'out/bearer');
  assert.equal(run1.status, 0, run1.out);
  const s1 = JSON.parse(readFileSync(join(work, 'out/bearer/report.json'), 'utf8')) as Summary;
  assert.equal(s1.run.target, `http://${hostPort}/model?api_key=REDACTED&accessKey=REDACTED`);
  assert.equal(s1.feedback?.url, `http://${hostPort}/feedback?token=REDACTED`);
  assert.ok(s1.totals.requests.ok >= 40, 'the requests were answered: the URL and headers worked');
  assert.ok((s1.feedback?.labelsPosted ?? 0) > 0, 'feedback was posted with the Basic credentials');
  const run2 = mw('run', userinfo, '--no-store', '--out', 'out/userinfo', '--json');
  assert.equal(run2.status, 0, run2.out);
  const s2 = JSON.parse(readFileSync(join(work, 'out/userinfo/report.json'), 'utf8')) as Summary;
  assert.equal(s2.run.target, `http://${hostPort}/model?api_key=REDACTED`);
  assert.ok(s2.totals.requests.ok >= 40);

  // an unreachable target (exit 3) and credentials that clash with an Authorization header (exit 2)
  const down = mw('run', userinfo, '--no-store', '--target', 'http://u:PLANTED-PW3@127.0.0.1:1/model?api_key=PLANTED-SECRET-123');
  assert.equal(down.status, 3, down.out);
  assert.match(down.out, /target http:\/\/127\.0\.0\.1:1\/model\?api_key=REDACTED is not reachable/);
  const clash = mw('run', bearer, '--no-store', '--target', `http://u:PLANTED-PW4@${hostPort}/model?api_key=PLANTED-SECRET-123`);
  assert.equal(clash.status, 2, clash.out);

  // an unreachable Postgres store with a password and --store-optional (spool)
  const spooled = mw('run', userinfo, '--store', 'postgres://u:PLANTED-PGPW@127.0.0.1:1/x?password=PLANTED-PGPW2', '--store-optional', '--out', 'out/spooled');
  assert.equal(spooled.status, 0, spooled.out);
  const spools = filesUnder(join(work, '.modelwave/spool'));
  assert.ok(spools.length >= 1, 'a spool file was written');

  // compare: live with credentials in both URLs, then from two finished runs
  const cmp = mw(
    'compare',
    userinfo,
    '--baseline',
    `http://b:PLANTED-PWB@${hostPort}/model?api_key=PLANTED-SECRET-123`,
    '--candidate',
    `${v2.origin}/model?sig=PLANTED-SIG`,
    '--out',
    'out/cmp',
    '--quiet',
    '--no-store',
  );
  assert.ok(cmp.status === 0 || cmp.status === 1, cmp.out);
  const cmp2 = mw('compare', '--runs', 'out/bearer', 'out/userinfo', '--out', 'out/cmp-runs');
  assert.ok(cmp2.status === 0 || cmp2.status === 1, cmp2.out);

  // the read-back commands over the embedded store
  const id1 = s1.run.id;
  for (const args of [['runs'], ['runs', '--json'], ['show', id1], ['show', id1, '--json'], ['export', id1], ['export', id1, '--format', 'jsonl']]) {
    const r = mw(...args);
    assert.equal(r.status, 0, `${r.cmd}: ${r.out}`);
  }
  const rep = mw('report', id1, '--out', 'out/report-embedded');
  assert.equal(rep.status, 0, rep.out);
  const imp = mw('store', 'import', spools[0]!);
  assert.equal(imp.status, 0, imp.out);

  assertNothingLeaked();
  const files = filesUnder(work);
  assert.ok(files.some((f) => f.endsWith('report.html')) && files.some((f) => f.endsWith('junit.xml')) && files.some((f) => f.includes('.modelwave/store')));
});

test('planted secrets appear in no output, file or stored row with a Postgres store', async (t) => {
  if (!PG) return t.skip('needs Postgres: set MODELWAVE_TEST_PG=postgres://…');
  const pgWithPassword = `${PG.replace('postgres://postgres@', 'postgres://postgres:PLANTED-PGPW@')}?password=PLANTED-PGPW2`;
  const run3 = mw('run', userinfo, '--store', pgWithPassword, '--out', 'out/pg');
  assert.equal(run3.status, 0, run3.out);
  const pgRunId = (JSON.parse(readFileSync(join(work, 'out/pg/report.json'), 'utf8')) as Summary).run.id;
  for (const args of [['runs'], ['runs', '--json'], ['show', pgRunId], ['show', pgRunId, '--json'], ['export', pgRunId], ['export', pgRunId, '--format', 'jsonl']]) {
    const r = mw(...args, '--store', pgWithPassword);
    assert.equal(r.status, 0, `${r.cmd}: ${r.out}`);
  }
  const rep = mw('report', pgRunId, '--out', 'out/report-pg', '--store', pgWithPassword);
  assert.equal(rep.status, 0, rep.out);
  assertNothingLeaked();
  // Every stored row, decompressed, in Postgres (the embedded store's pages may compress what they hold).
  const client = new pg.Client({ connectionString: PG });
  try {
    await client.connect();
    const tables = (await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows;
    assert.ok(tables.length > 0);
    for (const { table_name } of tables) {
      const rows = await client.query<{ t: string }>(`SELECT t::text AS t FROM ${client.escapeIdentifier(table_name)} t`);
      for (const row of rows.rows) assert.deepEqual(leaks(row.t), [], `${table_name} row holds a secret: ${row.t.slice(0, 300)}`);
    }
  } finally {
    await client.end().catch(() => {});
  }
});
