// The generators, each run as its own process under GNU time and reduced to one `GenResult`: modelwave (the CLI, as
// a user runs it), autocannon (npm), wrk (Debian) and the Node floor (node-floor.ts: a bare keep-alive Node client).
// Peers send one fixed body of the shape modelwave sends.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Summary } from '../../src/summary/types.js';
import { cpuBetween } from './cpu-watch.js';
import type { FloorJson } from './node-floor.js';
import { measure, type Measured } from './proc.js';
import { modelwaveRoles } from './tree-rss.js';
import { CLI } from './targets.js';

export type Tool = 'modelwave' | 'autocannon' | 'wrk' | 'node floor';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface GenResult {
  tool: Tool;
  /** Requests completed (sent and answered or failed), as the tool counts them. */
  requests: number;
  errors: number;
  /** Achieved requests per second over the load period. */
  rps: number;
  cpuMs: number;
  /** Generator CPU (user + system, all threads, start-up included) per request. */
  cpuUsPerReq: number;
  maxRssMb: number;
  latencyMs: Percentiles;
  /** modelwave only (open loop): actual − intended send time. */
  lagMs?: { p50: number; p99: number; max: number };
  dropped?: number;
  /** modelwave only: the run's verdict on its own generator. */
  saturated?: boolean;
  /** modelwave only: p99.9 of the windows starting after the first second (start-up excluded). */
  steadyP999Ms?: number;
  /** modelwave only: CPU per request between the run's t = 0 and its end (from /proc; start-up and teardown left out). */
  loadCpuUsPerReq?: number;
  /** modelwave with a store: peak RSS (MB, sampled from /proc) of the CLI process, the store process and their sum. */
  treeRssMb?: { main: number; store: number; sum: number };
}

/** A representative body of the shape modelwave sends for a Cloudera scenario (peers send it every time, to /model). */
export const PEER_BODY = '{"request":{"iot_signal_1":5,"iot_signal_2":6,"iot_signal_3":52,"iot_signal_4":103,"manufacturer":"AI Inc.","device_id":"a3f09c1e77b2d"}}';
/** One request modelwave sends for the telco rows (closed-telco.yaml, open-5k.yaml: mlflow-split), for /invocations. */
export const TELCO_PEER_BODY =
  '{"dataframe_split":{"columns":["iot_signal_1","iot_signal_2","iot_signal_3","iot_signal_4","manufacturer","device_id"],"data":[[6,6,53,101,"New World Corp","0xB5C03264Ae4d1"]]}}';

export const SCENARIOS = fileURLToPath(new URL('../../../bench/scenarios/', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../../../node_modules/autocannon/autocannon.js', import.meta.url));
const NODE_FLOOR = fileURLToPath(new URL('./node-floor.js', import.meta.url));
export const WRK = '/usr/bin/wrk';

const slack = (seconds: number) => (seconds + 60) * 1000;
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

export interface ModelwaveRun {
  scenario: string;
  url: string;
  workers?: number;
  /** Overrides of the scenario (CLI flags). */
  duration?: string;
  rate?: number;
  /** Put a warm-up phase of this many seconds first (open loop: ramping from a tenth of the rate), excluded from the statistics. */
  warmupSeconds?: number;
  /** Upper bound on the run's length, for the kill timer. */
  seconds: number;
  /** https targets: the PEM file to trust (written into a copy of the scenario as target.tls.ca). */
  tlsCa?: string;
  /** An embedded store directory (`--store DIR`) instead of `--no-store`; the store process's memory is then sampled. */
  store?: string;
  /** Another build's CLI (its dist/src/cli/main.js) instead of this checkout's: a same-round A/B. */
  cli?: string;
}

/**
 * A copy of a bench scenario with a warm-up phase first (the same load; open loop ramps up to the rate), written to
 * `dir`. Rate and duration overrides are applied here rather than by CLI flags, which would also hit the warm-up.
 */
function withWarmup(file: string, dir: string, o: ModelwaveRun): string {
  const doc = parseYaml(readFileSync(path.join(SCENARIOS, file), 'utf8')) as { load: { phases: Record<string, unknown>[] } };
  const phases = doc.load.phases.map((p) => ({ ...p, ...(o.duration ? { duration: o.duration } : {}), ...(o.rate && p.rate !== undefined ? { rate: o.rate } : {}) }));
  const first = phases[0];
  const warm: Record<string, unknown> = { ...first, name: 'warm-up', warmup: true, duration: `${o.warmupSeconds}s` };
  delete warm.requests;
  if (typeof first.rate === 'number') Object.assign(warm, { rate: Math.max(1, Math.round(first.rate / 10)), rampTo: first.rate });
  doc.load.phases = [warm, ...phases];
  const out = path.join(dir, file);
  writeFileSync(out, stringifyYaml(doc));
  return out;
}

/** A copy of a scenario (in `dir`) that trusts `ca` for https targets. */
function withTlsCa(file: string, dir: string, ca: string): string {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { target: Record<string, unknown> };
  doc.target.tls = { ca };
  const out = path.join(dir, `tls-${path.basename(file)}`);
  writeFileSync(out, stringifyYaml(doc));
  return out;
}

export async function runModelwave(o: ModelwaveRun): Promise<GenResult & { summary: Summary }> {
  const out = mkdtempSync(path.join(tmpdir(), 'mw-bench-run-'));
  let file = o.warmupSeconds ? withWarmup(o.scenario, out, o) : path.join(SCENARIOS, o.scenario);
  if (o.tlsCa) file = withTlsCa(file, out, o.tlsCa);
  // The node flag the `modelwave` bin's shebang and `npm start` pass (see src/cli/main.ts).
  const args = ['--max-semi-space-size=2', o.cli ?? CLI, 'run', file, '--target', o.url, '--out', out, '--quiet', ...(o.store ? ['--store', o.store] : ['--no-store']), '--report', 'json'];
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  if (o.duration !== undefined && !o.warmupSeconds) args.push('--duration', o.duration);
  if (o.rate !== undefined && !o.warmupSeconds) args.push('--rate', String(o.rate));
  const m = await measure(process.execPath, args, slack(o.seconds), { cpu: true, ...(o.store ? { tree: modelwaveRoles } : {}) });
  try {
    // Exit 1 = a threshold failed (bench scenarios have none); anything else is a broken run.
    if (m.exitCode !== 0 && m.exitCode !== 1) throw new Error(`modelwave exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
    const s = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Summary;
    const t = s.totals;
    const req = t.requests;
    // CPU is per request actually sent, warm-up included (it cost CPU too); rates and latencies are the measured phases'.
    const allSent = s.phases.reduce((a, p) => a + p.requests.sent, 0);
    return {
      ...base('modelwave', m, req.sent, req.sent - req.ok, t.rps),
      cpuUsPerReq: allSent > 0 ? (m.cpuMs * 1000) / allSent : NaN,
      latencyMs: pick(t.latencyMs),
      steadyP999Ms: steadyP999(s),
      loadCpuUsPerReq: req.sent > 0 ? (cpuBetween(m.cpuSamples ?? [], Date.parse(s.run.startedAt), Date.parse(s.run.endedAt)) * 1000) / req.sent : NaN,
      ...(m.tree ? { treeRssMb: { main: mb(m.tree.peakKb.main ?? 0), store: mb(m.tree.peakKb.store ?? 0), sum: mb(m.tree.peakSumKb) } } : {}),
      lagMs: { p50: t.lagMs.p50, p99: t.lagMs.p99, max: t.lagMs.max },
      dropped: req.dropped,
      saturated: s.run.generatorSaturated === true,
      summary: s,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface PeerRun {
  url: string;
  connections: number;
  seconds: number;
  /** The request body (default PEER_BODY). */
  body?: string;
  /** A fixed overall rate: autocannon's `-R` (each connection's share sent back to back at the start of every
   * second), the Node floor's open loop (evenly spaced arrivals). */
  rate?: number;
  /** autocannon only: stop after this many requests (`-a`) instead of after `seconds`. */
  amount?: number;
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  latency: { p50: number; p90: number; p99: number; p99_9: number; max: number };
}

export async function runAutocannon(o: PeerRun): Promise<GenResult> {
  const args = [AUTOCANNON, '-c', String(o.connections), '-m', 'POST', '-H', 'content-type=application/json', '-b', o.body ?? PEER_BODY, '--json'];
  args.push(...(o.amount !== undefined ? ['-a', String(o.amount)] : ['-d', String(o.seconds)]));
  if (o.rate !== undefined) args.push('-R', String(o.rate));
  const m = await measure(process.execPath, [...args, o.url], slack(o.seconds));
  if (m.exitCode !== 0) throw new Error(`autocannon exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
  const j = JSON.parse(m.stdout) as AutocannonJson;
  const n = j.requests.total;
  const l = j.latency;
  return {
    ...base('autocannon', m, n, j.errors + j.timeouts + j.non2xx, n / j.duration),
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, p999: l.p99_9, max: l.max },
  };
}

/** wrk reports through a Lua `done()` hook: one JSON line with its counts and latency percentiles (µs). */
const WRK_LUA = (body: string) => `wrk.method = "POST"
wrk.body = '${body}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`;

interface WrkJson {
  requests: number;
  durationUs: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export async function runWrk(o: PeerRun & { threads: number }): Promise<GenResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-bench-wrk-'));
  const lua = path.join(dir, 'post.lua');
  writeFileSync(lua, WRK_LUA(o.body ?? PEER_BODY));
  try {
    const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.seconds}s`, '--timeout', '10s', '-s', lua, o.url];
    const m = await measure(WRK, args, slack(o.seconds));
    const line = m.stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (m.exitCode !== 0 || !line) throw new Error(`wrk exited ${m.exitCode}\n${m.stdout.slice(-1000)}${m.stderr.slice(-1000)}`);
    const j = JSON.parse(line.slice(8)) as WrkJson;
    const ms = (us: number) => us / 1000;
    return {
      ...base('wrk', m, j.requests, j.errors, j.requests / (j.durationUs / 1e6)),
      latencyMs: { p50: ms(j.p50), p90: ms(j.p90), p99: ms(j.p99), p999: ms(j.p999), max: ms(j.max) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Node floor (node-floor.ts) in its own process: the same figures as the other peers. */
export async function runNodeFloor(o: PeerRun): Promise<GenResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mw-bench-floor-'));
  const bodyFile = path.join(dir, 'body.json');
  writeFileSync(bodyFile, o.body ?? PEER_BODY);
  try {
    const args = [NODE_FLOOR, '--url', o.url, '--body-file', bodyFile, '--connections', String(o.connections), '--seconds', String(o.seconds)];
    if (o.rate) args.push('--rate', String(o.rate));
    const m = await measure(process.execPath, args, slack(o.seconds));
    if (m.exitCode !== 0) throw new Error(`node floor exited ${m.exitCode}\n${m.stderr.slice(-2000)}`);
    const j = JSON.parse(m.stdout.trim().split('\n').pop()!) as FloorJson;
    const ms = (us: number) => us / 1000;
    return {
      ...base('node floor', m, j.requests, j.errors, j.requests / (j.durationUs / 1e6)),
      latencyMs: { p50: ms(j.p50), p90: ms(j.p90), p99: ms(j.p99), p999: ms(j.p999), max: ms(j.max) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function base(tool: Tool, m: Measured, requests: number, errors: number, rps: number): Omit<GenResult, 'latencyMs'> {
  return { tool, requests, errors, rps, cpuMs: m.cpuMs, cpuUsPerReq: requests > 0 ? (m.cpuMs * 1000) / requests : NaN, maxRssMb: mb(m.maxRssKb) };
}

/** p99.9 of the windows that start after the first second of the run (start-up excluded), from their histograms. */
function steadyP999(s: Summary): number {
  let h: hdr.Histogram | undefined;
  for (const w of s.windows) {
    if (w.startMs < 1000 || !w.latencyHistogram) continue;
    const x = hdr.decodeFromCompressedBase64(w.latencyHistogram, 64, false);
    if (h) h.add(x);
    else h = x;
  }
  return h && h.totalCount > 0 ? h.getValueAtPercentile(99.9) / 1000 : NaN;
}

function pick(l: Percentiles): Percentiles {
  return { p50: l.p50, p90: l.p90, p99: l.p99, p999: l.p999, max: l.max };
}
