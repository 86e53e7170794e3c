import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReportFormats, writeReports } from '../../src/report/write.js';
import { makeSummary } from './fixture.js';

test('writeReports writes every format by default and report.json is the Summary', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mw-report-'));
  try {
    const s = makeSummary();
    const out = join(dir, 'nested', 'run-1');
    const paths = await writeReports(s, out);
    assert.deepEqual(paths, ['report.json', 'report.md', 'report.html', 'junit.xml', 'latency.hgrm'].map((f) => join(out, f)));
    assert.deepEqual((await readdir(out)).sort(), ['junit.xml', 'latency.hgrm', 'report.html', 'report.json', 'report.md']);
    const json = await readFile(join(out, 'report.json'), 'utf8');
    assert.equal(json, JSON.stringify(s, null, 2) + '\n');
    assert.deepEqual(JSON.parse(json), s);
    assert.match(await readFile(join(out, 'report.md'), 'utf8'), /^# modelwave · telco-cell-tower/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writeReports writes only the chosen formats', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mw-report-'));
  try {
    const paths = await writeReports(makeSummary(), dir, ['md', 'junit', 'md']);
    assert.deepEqual(paths, [join(dir, 'report.md'), join(dir, 'junit.xml')]);
    assert.deepEqual((await readdir(dir)).sort(), ['junit.xml', 'report.md']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('parseReportFormats reads --report lists and rejects unknown names with MW_USAGE', () => {
  const cases: Array<[string, string[]]> = [
    ['md,html', ['md', 'html']], // the example
    [' JSON , hgrm ', ['json', 'hgrm']], // spaces and case
    ['junit,junit', ['junit']], // duplicates collapse
    ['all', ['json', 'md', 'html', 'junit', 'hgrm']],
  ];
  for (const [csv, want] of cases) assert.deepEqual(parseReportFormats(csv), want, csv);
  assert.throws(() => parseReportFormats('md,pdf'), {
    name: 'ModelwaveError',
    code: 'MW_USAGE',
    message: '--report: unknown report format "pdf"; use a comma-separated list of json, md, html, junit, hgrm (or "all").',
  });
  assert.throws(() => parseReportFormats(' , '), { code: 'MW_USAGE', message: /needs at least one format/ });
});
