// `--dashboard` in real headless Chromium (Debian's `chromium`, driven by playwright-core) during a real run: the
// figures change at least 3 times, the verdict appears, every chart is drawn, no request leaves 127.0.0.1, the CSP
// reports nothing, and a scenario name full of markup stays text. A second tab opened after the run gets the whole
// history. Screenshots go to test-artifacts/ for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLI } from '../engine/helpers.js';
import { watchOutput } from '../cli/output.js';

const CHROMIUM = process.env.MODELWAVE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const HOSTILE = `<img src=x onerror="document.title='pwned'"></title><script>window.pwned=1</script>`;

const dir = mkdtempSync(path.join(tmpdir(), 'mw-dashboard-'));
const scenario = path.join(dir, 'dash.yaml');
writeFileSync(
  scenario,
  `name: ${JSON.stringify(HOSTILE)}
target: { url: "builtin:telco@v1", protocol: cloudera, timeout: 2s }
data:
  fields:
    iot_signal_1: { int: [1, 10] }
    iot_signal_4: { int: [100, 107] }
label:
  name: y
  logistic: { bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 } }
load:
  phases:
    - { name: warm, duration: 1s, rate: 50, warmup: true }
    - { name: main, duration: 5s, rate: 100, rampTo: 200 }
windows: { every: 100 }
thresholds:
  latency.p99: "< 2s"
  accuracy: ">= 0.5"
`,
);

let browser: Browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `the dashboard browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or MODELWAVE_CHROMIUM)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

interface Watched {
  page: Page;
  requests: string[];
  offHost: string[];
  problems: string[];
}

async function watch(url: string, origin: string): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const requests: string[] = [];
  const offHost: string[] = [];
  const problems: string[] = [];
  // Anything not for the dashboard's own origin is recorded and refused: the test fails on it, nothing leaves.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(`${origin}/`)) return route.continue();
    offHost.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { page, requests, offHost, problems };
}

test('the live dashboard in Chromium during a run: figures move, verdict, charts, nothing leaves 127.0.0.1', { timeout: 120_000 }, async () => {
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, [CLI, 'run', scenario, '--no-store', '--quiet', '--out', path.join(dir, 'rep'), '--dashboard', '--dashboard-port', '0', '--dashboard-linger', '60s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = watchOutput(child.stderr!);
    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    const [, url, origin] = await stderr.match(/dashboard: ((http:\/\/127\.0\.0\.1:\d+)\/)/, 30_000);
    const w = await watch(url, origin);
    const { page } = w;

    // The page is up before the first second; the numbers change as the run goes.
    const seen: string[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 40_000) {
      // The verdict first, then the count: the last count read is then one taken after the final event arrived
      // (read the other way round, the final event could land between the two reads and leave a stale count).
      const done = ((await page.locator('#verdict').textContent()) ?? '') !== '';
      const sent = await page.locator('#sent').textContent();
      if (sent && sent !== seen[seen.length - 1]) seen.push(sent);
      if (done) break;
      await page.waitForTimeout(200);
    }
    const verdict = (await page.locator('#verdict').textContent()) ?? '';
    assert.match(verdict, /^PASS: all 2 thresholds held · run completed · exit 0$/);
    const changes = seen.filter((x) => x !== '0');
    assert.ok(changes.length >= 3, `the sent count changed at least 3 times while watching: ${seen.join(' → ')}`);
    const counts = changes.map((x) => Number(x.replace(/,/g, '')));
    assert.ok(counts.every((x, i) => i === 0 || x > counts[i - 1]), `and only grew: ${seen.join(' → ')}`);

    // Every chart drawn (uPlot: one canvas each), with a point per second.
    assert.equal(await page.locator('.uplot canvas').count(), 5);
    const phase = await page.locator('#phase').textContent();
    assert.match(phase ?? '', /^main · 2\/2$/);
    assert.equal(await page.locator('#left').textContent(), '0 s');
    assert.match((await page.locator('#acc').textContent()) ?? '', /^0\.\d{4} \[0\.\d{3}, 0\.\d{3}\]$/);
    // A scenario name full of markup is text, in the title and the heading.
    assert.equal(await page.locator('h1').textContent(), `modelwave · ${HOSTILE}`);
    assert.equal(await page.title(), `modelwave live · ${HOSTILE}`);
    assert.equal(await page.evaluate<string>('typeof window.pwned'), 'undefined');
    assert.equal(await page.locator('img').count(), 0);

    await page.screenshot({ path: path.join(ARTIFACTS, 'live-dashboard.png'), fullPage: true });
    assert.deepEqual(w.offHost, [], 'no request leaves the dashboard origin');
    assert.ok(w.requests.every((u) => u.startsWith(`${origin}/`)), w.requests.join('\n'));
    assert.ok(w.requests.some((u) => u === `${origin}/events`), 'the page listens to /events');
    assert.deepEqual(w.problems, []);

    // A tab opened after the run, during the linger: the whole history, the verdict, no reconnect loop.
    const late = await watch(url, origin);
    await late.page.locator('#verdict.pass').waitFor({ timeout: 10_000 });
    assert.equal(await late.page.evaluate<number>("document.querySelectorAll('.u-legend').length"), 5);
    assert.equal(await late.page.locator('#sent').textContent(), seen[seen.length - 1]);
    await late.page.waitForTimeout(2500); // an EventSource that reconnected would fetch /events again
    assert.equal(late.requests.filter((u) => u.endsWith('/events')).length, 1, late.requests.join('\n'));
    await late.page.screenshot({ path: path.join(ARTIFACTS, 'live-dashboard-late.png'), fullPage: true });
    assert.deepEqual(late.offHost, []);
    assert.deepEqual(late.problems, []);

    // Other paths and other Host headers are refused (DNS rebinding).
    assert.equal((await fetch(`${origin}/nope`)).status, 404);
    const rebound = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const r = request(`${origin}/events`, { headers: { host: 'evil.example:80' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        r.on('error', reject);
        r.end();
      }, reject);
    });
    assert.equal(rebound, 421);

    child.kill('SIGINT'); // ends the linger
    assert.equal(await exited, 0, stderr.text());
    child = undefined;
  } finally {
    child?.kill('SIGKILL');
  }
});

test('--dashboard: bad flags and a port in use are exit 2, named', async () => {
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as { port: number }).port;
  try {
    const cases: [string[], RegExp][] = [
      [['--dashboard', '--dashboard-port', String(port)], new RegExp(`--dashboard-port: port ${port} on 127.0.0.1 is in use`)],
      [['--dashboard', '--dashboard-port', 'http'], /--dashboard-port must be a port number 0\.\.65535/],
      [['--dashboard', '--dashboard-linger', 'forever'], /--dashboard-linger must be a duration/],
      [['--dashboard', '--dashboard-host', '203.0.113.7', '--dashboard-port', '0'], /--dashboard-port: 203\.0\.113\.7 is not an address of this machine/],
    ];
    for (const [args, msg] of cases) {
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [CLI, 'run', scenario, '--no-store', '--quiet', '--out', path.join(dir, 'never'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (status) => resolve({ status, stderr: err }));
      });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
  } finally {
    busy.close();
  }
});
