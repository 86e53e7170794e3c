// The HTTPS case: closed loop against one nginx over HTTP and over HTTPS (same server, same answer; TLS 1.3 with an
// ECDSA P-256 certificate), modelwave and wrk, all four interleaved in the same rounds — what TLS costs in req/s
// and in generator CPU per request, with wrk's own HTTP→HTTPS cost beside it as the floor.
import type { BenchOptions, CaseResult, Check } from './cases.js';
import { loadAverage } from './proc.js';
import { fmt, fmtSpread, spread, table, type Spread } from './stats.js';
import { startNginx } from './targets.js';
import { runModelwave, runWrk, type GenResult } from './tools.js';

const VARIANTS = ['modelwave http', 'modelwave https', 'wrk http', 'wrk https'] as const;
type Variant = (typeof VARIANTS)[number];

const rotate = <T>(xs: readonly T[], k: number): T[] => xs.map((_, i) => xs[(i + k) % xs.length]);

export async function closedHttps(o: BenchOptions): Promise<CaseResult> {
  const loadBefore = loadAverage();
  const ng = await startNginx({ tls: true });
  try {
    const https = ng.tlsEndpoint!;
    const ca = ng.caFile!;
    const run = (v: Variant, duration = `${o.seconds}s`): Promise<GenResult> => {
      const url = v.endsWith('https') ? https : ng.endpoint;
      if (v.startsWith('wrk')) return runWrk({ url, connections: 50, seconds: o.seconds, threads: o.wrkThreads });
      return runModelwave({ scenario: 'closed-50.yaml', url, duration, workers: o.workers, seconds: o.seconds, ...(v.endsWith('https') && { tlsCa: ca }) });
    };
    const res = Object.fromEntries(VARIANTS.map((v) => [v, [] as GenResult[]])) as Record<Variant, GenResult[]>;
    for (let r = 0; r < o.rounds; r++) {
      for (const v of rotate(VARIANTS, r)) {
        const x = await run(v);
        res[v].push(x);
        o.log(`  round ${r + 1}/${o.rounds} ${v.padEnd(16)} ${fmt(x.rps, 0).padStart(8)} req/s  ${fmt(x.cpuUsPerReq).padStart(6)} µs CPU/req  p99 ${fmt(x.latencyMs.p99)} ms${x.errors ? `  errors ${x.errors}` : ''}`);
      }
    }
    // Start-up + teardown CPU of modelwave (~10 ms runs, median of 2): the HTTPS one includes its pre-start handshake.
    const fixedMs: Partial<Record<Variant, number>> = {};
    for (const v of ['modelwave http', 'modelwave https'] as const) fixedMs[v] = spread([(await run(v, '10ms')).cpuMs, (await run(v, '10ms')).cpuMs]).median;

    const col = (v: Variant, f: (r: GenResult) => number): Spread => spread(res[v].map(f));
    const marginal = (v: Variant) => (fixedMs[v] === undefined ? '–' : fmtSpread(col(v, (r) => (r.cpuUsPerReq * (r.cpuMs - fixedMs[v]!)) / r.cpuMs)));
    const perRound = (a: Variant, b: Variant, f: (r: GenResult) => number) => spread(res[a].map((x, i) => f(x) / f(res[b][i])));
    const ratio = (s: Spread) => (s.n <= 1 ? `${fmt(s.median, 2)}×` : `${fmt(s.median, 2)}× [${fmt(s.min, 2)}–${fmt(s.max, 2)}]`);
    const errors = res['modelwave https'].reduce((n, r) => n + r.errors, 0);
    const checks: Check[] = [{ target: 'HTTPS closed loop vs nginx: every request answered', value: `${errors} errors`, pass: errors === 0 }];
    const markdown = [
      '### HTTPS vs HTTP: closed loop vs nginx',
      '',
      `One nginx (1 worker) answering the same fixed JSON on an HTTP and an HTTPS port (TLS 1.3, ECDSA P-256, nginx defaults), 50 connections, ` +
        `${o.seconds} s per run, ${o.rounds} rounds, the four runs of a round interleaved (order rotating). modelwave: \`bench/scenarios/closed-50.yaml\` ` +
        `(HTTPS: the same with \`target.tls.ca\`); wrk \`-t${o.wrkThreads}\`. CPU = user + system of the whole process from GNU time, start-up included.`,
      '',
      table(
        ['run', 'req/s', 'CPU µs/req', 'marginal CPU µs/req', 'p50 ms', 'p99 ms', 'peak RSS MB'],
        VARIANTS.map((v) => [v, fmtSpread(col(v, (r) => r.rps), 0), fmtSpread(col(v, (r) => r.cpuUsPerReq)), marginal(v), fmtSpread(col(v, (r) => r.latencyMs.p50), 3), fmtSpread(col(v, (r) => r.latencyMs.p99), 3), fmtSpread(col(v, (r) => r.maxRssMb), 0)]),
      ),
      '',
      table(
        ['HTTPS ÷ HTTP (same round)', 'req/s', 'CPU µs/req'],
        [
          ['modelwave', ratio(perRound('modelwave https', 'modelwave http', (r) => r.rps)), ratio(perRound('modelwave https', 'modelwave http', (r) => r.cpuUsPerReq))],
          ['wrk', ratio(perRound('wrk https', 'wrk http', (r) => r.rps)), ratio(perRound('wrk https', 'wrk http', (r) => r.cpuUsPerReq))],
        ],
      ),
      '',
      `Fixed start-up + teardown CPU (median of 2): modelwave HTTP ${fmt(fixedMs['modelwave http']!, 0)} ms, HTTPS ${fmt(fixedMs['modelwave https']!, 0)} ms.`,
      '',
      `Load average (1 min) before/after: ${fmt(loadBefore, 2)} / ${fmt(loadAverage(), 2)}.`,
    ].join('\n');
    return { id: 'closed-https', title: 'HTTPS vs HTTP: closed loop vs nginx', markdown, checks, loadBefore, loadAfter: loadAverage(), data: { res, fixedMs } };
  } finally {
    await ng.stop();
  }
}
