// Every protocol against its strict server, end to end: `modelwave run scenarios/real/<x>.yaml` (the built CLI, as a
// user runs it) against `modelwave serve --strict <server>`, default settings. A run must be accepted and scored:
// every request ok, every row scored (0 unparsable), accuracy near the label model's, delayed metrics matched.
//
// Each scenario must validate first (scenarios/real/ uses the keys that make real servers reachable: target.send,
// rowFormat, tensor, output, decisionThreshold, cloudera.request, feedback.format, …); a refusal fails the row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelwaveError } from '../../../src/errors.js';
import { loadScenario } from '../../../src/scenario/load.js';
import { spawnStrictServer } from '../../../src/server/spawn.js';
import { get } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

interface Row {
  scenario: string;
  server: string;
  /** Requests carry a batch: delayed metrics (one uuid per request) label only the first row, so don't compare labels. */
  batched?: boolean;
  feedback?: boolean;
}

// Each row: a scenario under scenarios/real/ and the strict server it is written for.
const MATRIX: Row[] = [
  { scenario: 'kserve-sklearn.yaml', server: 'kserve-sklearn' },
  { scenario: 'kserve-sklearn-v2.yaml', server: 'kserve-sklearn' },
  { scenario: 'mlserver.yaml', server: 'mlserver' },
  { scenario: 'triton.yaml', server: 'triton' },
  { scenario: 'tf-serving-keras.yaml', server: 'tf-serving-keras' },
  { scenario: 'mlflow.yaml', server: 'mlflow' },
  { scenario: 'mlflow-records.yaml', server: 'mlflow' },
  { scenario: 'cml-record.yaml', server: 'cml-record', feedback: true },
  { scenario: 'cml-registry.yaml', server: 'cml-registry', feedback: true, batched: true },
];

interface Report {
  run: { status: string };
  totals: {
    requests: { sent: number; ok: number };
    errors: { byCode: Record<string, number> };
    accuracy?: number;
    quality?: { rows: number; scored: number; unparsable: number };
  };
  feedback?: Record<string, unknown>;
}

/** The scenario with every http://127.0.0.1:PORT replaced by the strict server's origin, in a temporary file. */
function localCopy(file: string, origin: string, dir: string): string {
  const text = readFileSync(join(ROOT, 'scenarios/real', file), 'utf8').replace(/http:\/\/127\.0\.0\.1:\d+/g, origin);
  const out = join(dir, file);
  writeFileSync(out, text);
  return out;
}

/** Why the loader refuses the scenario, or undefined when it validates. */
function whyExcluded(file: string): string | undefined {
  try {
    loadScenario(file, { env: {} });
    return undefined;
  } catch (err) {
    if (err instanceof ModelwaveError) return [err.message, ...err.details].join(' | ');
    throw err;
  }
}

test('the matrix covers every strict server and every protocol', () => {
  assert.deepEqual([...new Set(MATRIX.map((r) => r.server))].sort(), ['cml-record', 'cml-registry', 'kserve-sklearn', 'mlflow', 'mlserver', 'tf-serving-keras', 'triton']);
  const protocols = MATRIX.map((r) => /^\s+protocol: (\S+)/m.exec(readFileSync(join(ROOT, 'scenarios/real', r.scenario), 'utf8'))![1]);
  assert.deepEqual([...new Set(protocols)].sort(), ['cloudera', 'kserve-v1', 'kserve-v2', 'mlflow-records', 'mlflow-split', 'tf-serving']);
});

for (const row of MATRIX) {
  test(`e2e: scenarios/real/${row.scenario} against serve --strict ${row.server}`, { timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-strict-e2e-'));
    const server = await spawnStrictServer(row.server);
    try {
      const file = localCopy(row.scenario, server.origin, dir);
      const excluded = whyExcluded(file);
      assert.equal(excluded, undefined, `scenarios/real/${row.scenario} does not validate`);
      const out = join(dir, 'report');
      const res = spawnSync(process.execPath, [CLI, 'run', file, '--duration', '3s', '--quiet', '--no-store', '--out', out, '--report', 'json'], {
        encoding: 'utf8',
        timeout: 90_000,
        cwd: ROOT,
      });
      assert.ok(res.status === 0 || res.status === 1, `run exited ${res.status}: ${res.stderr}`);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      const { requests, errors, quality, accuracy } = report.totals;
      assert.equal(report.run.status, 'completed');
      assert.ok(requests.sent > 0);
      assert.equal(requests.ok, requests.sent, `failed requests by code: ${JSON.stringify(errors.byCode)}`);
      assert.ok(quality, 'the run scored nothing');
      assert.equal(quality.unparsable, 0, 'rows whose prediction could not be read');
      assert.equal(quality.scored, quality.rows, 'every row of an ok response is scored');
      // The strict model is the label model's decision rule: its accuracy is the label noise's complement (≈ 0.85).
      assert.ok(accuracy !== undefined && accuracy >= 0.75, `accuracy ${accuracy}`);
      if (row.feedback) {
        const stats = (await get(`${server.origin}/strict/stats`)).json as { delayedMetrics: { received: number; unknownUuid: number; wrongCrn: number; agree: number; disagree: number } };
        const m = stats.delayedMetrics;
        assert.ok(m.received > 0, 'no delayed metrics arrived');
        assert.deepEqual([m.unknownUuid, m.wrongCrn], [0, 0]);
        if (!row.batched) assert.ok(m.agree / (m.agree + m.disagree) >= 0.75, `labels agree with predictions ${m.agree}/${m.agree + m.disagree}`);
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
