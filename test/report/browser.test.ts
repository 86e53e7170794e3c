// Opens report.html in real headless Chromium (Debian's `chromium`, driven by playwright-core): no console errors,
// no network request, every chart present with as many marks as the Summary has data points, readable with
// JavaScript off, hostile strings inert. Saves screenshots to test-artifacts/ for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReports } from '../../src/report/write.js';
import type { Summary } from '../../src/summary/types.js';
import { HOSTILE, LONG_NAME, makeSummary } from './fixture.js';
import { expectedMarks } from './parse.js';

const CHROMIUM = process.env.MODELWAVE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const CHART_LAYERS: Record<string, string[]> = {
  rate: ['rate_points'],
  latency: ['latency_points'],
  spectrum: ['spectrum_points'],
  accuracy: ['accuracy_bars', 'accuracy_ci'],
  confusion: ['confusion_cells', 'confusion_counts'],
  errors: ['errors_bars'],
};

let browser: Browser;
let dir: string;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    const msg =
      `\n${'!'.repeat(78)}\n!! The report browser test needs Chromium at ${CHROMIUM}.\n` +
      `!! Install it with:  apt-get install -y chromium   (or set MODELWAVE_CHROMIUM=/path/to/chromium)\n${'!'.repeat(78)}\n`;
    process.stderr.write(msg);
    assert.fail(msg);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  dir = await mkdtemp(join(tmpdir(), 'mw-report-browser-'));
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  problems: string[];
}

async function open(summary: Summary, name: string, javaScriptEnabled = true): Promise<Opened> {
  const out = join(dir, name);
  await writeReports(summary, out, ['html']);
  const url = pathToFileURL(join(out, 'report.html')).href;
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  return { page, url, requests, problems };
}

test('report.html in Chromium: no console errors, no network, every chart with all its data points', { timeout: 60_000 }, async () => {
  const s = makeSummary();
  const { page, url, requests, problems } = await open(s, 'normal');
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [url], 'the only request is the file itself');

  const want = expectedMarks(s);
  for (const [chart, layers] of Object.entries(CHART_LAYERS)) {
    const svg = page.locator(`#chart-${chart} svg[data-chart="${chart}"]`);
    assert.equal(await svg.count(), 1, `${chart} chart present`);
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 150 && box.height > 150, `${chart} chart is visible (${JSON.stringify(box)})`);
    for (const layer of layers) {
      const n = await page.locator(`#chart-${chart} svg g.${layer}_marks > *`).count();
      assert.equal(n, want[layer], `${chart}: ${layer} marks`);
      assert.ok(n > 0, `${chart}: ${layer} has data`);
    }
  }
  assert.equal(await page.locator('#chart-rate svg g.rate_points_marks > path').count(), s.timeline.length);
  assert.equal(await page.locator('#chart-accuracy svg g.accuracy_bars_marks > path').count(), s.windows.length);
  const cells = s.totals.classification!.labels.length ** 2;
  assert.equal(await page.locator('#chart-confusion svg g.confusion_cells_marks > path').count(), cells);

  assert.equal(await page.locator('#thresholds-table tbody tr').count(), s.thresholds.length);
  assert.equal(await page.locator('#phases-table tbody tr').count(), s.phases.length);
  assert.equal(await page.locator('#windows-table tbody tr').count(), s.windows.length);
  assert.equal(await page.locator('#verdict').textContent(), 'FAIL: 2 of 4 thresholds failed');
  // Nothing wider than the viewport but the scrollable table wrappers.
  const width = await page.evaluate<number>('document.documentElement.scrollWidth');
  assert.ok(width <= 1280, `page width ${width}`);
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  await page.context().close();
});

test('report.html reads the same with JavaScript off', { timeout: 60_000 }, async () => {
  const s = makeSummary();
  const { page, requests, url, problems } = await open(s, 'nojs', false);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [url]);
  for (const chart of Object.keys(CHART_LAYERS)) {
    assert.ok(await page.locator(`#chart-${chart} svg`).isVisible(), `${chart} visible without JavaScript`);
  }
  await page.locator('details > summary').first().click();
  assert.ok(await page.locator('#windows-table').isVisible(), 'the collapsed windows table opens without JavaScript');
  assert.equal(await page.locator('#windows-table tbody tr').count(), s.windows.length);
  await page.context().close();
});

test('hostile strings stay inert text in the browser', { timeout: 60_000 }, async () => {
  const s = makeSummary({ hostile: true });
  const { page, requests, url, problems } = await open(s, 'hostile');
  assert.deepEqual(problems, [], 'no alert dialog, no error');
  assert.deepEqual(requests, [url], 'the [link](http://x) in the data is not fetched');
  assert.equal(await page.locator('script').count(), 0);
  assert.equal(await page.locator('pre').count(), 1);
  assert.ok((await page.locator('h1').textContent())!.startsWith(HOSTILE));
  assert.equal(await page.locator('#environment-table tr').first().locator('td').textContent(), `${HOSTILE} ${LONG_NAME}`);
  assert.equal(await page.locator('#thresholds-table tbody tr').count(), s.thresholds.length);
  const scenario = JSON.parse((await page.locator('#scenario-json').textContent())!);
  assert.deepEqual(scenario, s.scenario);
  const labels = await page.locator('#chart-confusion svg text').allTextContents();
  assert.ok(labels.some((t) => t.startsWith('<script>alert(1)')), 'class label drawn as text');
  const width = await page.evaluate<number>('document.documentElement.scrollWidth');
  assert.ok(width <= 1280, `a 5,000-character name does not widen the page (${width})`);
  await page.screenshot({ path: join(ARTIFACTS, 'report-hostile.png'), fullPage: false });
  await page.context().close();
});
