// The HTTPS case: closed loop against one nginx over HTTP and over HTTPS (same server, same answers; TLS 1.3 with an
// ECDSA P-256 certificate), modelwave with both kinds of rows (rows.ts) and wrk, all six interleaved in the same
// rounds — what TLS costs in req/s and in generator CPU per request, with wrk's own HTTP→HTTPS cost beside it as the floor.
import { col, interleave, perRound, ratioSpread, type BenchOptions, type CaseResult, type Check, type Gen } from './kit.js';
import { loadAverage } from './proc.js';
import { ROWS, type RowKind } from './rows.js';
import { fmt, fmtSpread, spread, table } from './stats.js';
import { startNginx, type Target } from './targets.js';
import { runModelwave, runWrk, TELCO_PEER_BODY, type GenResult } from './tools.js';

const SCHEMES = ['http', 'https'] as const;
type Scheme = (typeof SCHEMES)[number];
const KINDS: RowKind[] = ['telco', 'light'];
const SUBJECTS = [...KINDS.map((k) => ROWS[k].gen), 'wrk'] as const;

const name = (subject: string, s: Scheme) => `${subject} ${s}`;

export async function closedHttps(o: BenchOptions): Promise<CaseResult> {
  const loadBefore = loadAverage();
  const ng = await startNginx({ tls: true });
  try {
    const ca = ng.caFile!;
    // nginx's endpoints of each kind over each scheme.
    const over = (s: Scheme): Target => (s === 'http' ? ng : { ...ng, endpoint: ng.tlsEndpoint!, mlflowEndpoint: ng.tlsMlflowEndpoint! });
    const mw = (k: RowKind, s: Scheme, duration = `${o.seconds}s`): Promise<GenResult> =>
      runModelwave({ scenario: ROWS[k].closed, url: ROWS[k].endpoint(over(s)), duration, workers: o.workers, seconds: o.seconds, ...(s === 'https' && { tlsCa: ca }) });
    const gens: Gen[] = SCHEMES.flatMap((s) => [
      ...KINDS.map((k) => ({ name: name(ROWS[k].gen, s), run: () => mw(k, s) })),
      { name: name('wrk', s), run: () => runWrk({ url: over(s).mlflowEndpoint, connections: 50, seconds: o.seconds, threads: o.wrkThreads, body: TELCO_PEER_BODY }) },
    ]);
    const res = await interleave(o, gens);
    // Start-up + teardown CPU of modelwave (~10 ms runs, median of 2): the HTTPS one includes its pre-start handshake.
    const fixedMs: Record<string, number> = {};
    for (const k of KINDS) for (const s of SCHEMES) fixedMs[name(ROWS[k].gen, s)] = spread([(await mw(k, s, '10ms')).cpuMs, (await mw(k, s, '10ms')).cpuMs]).median;

    const marginal = (v: string) => (fixedMs[v] === undefined ? '–' : fmtSpread(col(res[v], (r) => (r.cpuUsPerReq * (r.cpuMs - fixedMs[v])) / r.cpuMs)));
    const ratio = (a: string, b: string, f: (r: GenResult) => number) => ratioSpread(perRound(res[a], res[b], (x, y) => f(x) / f(y)));
    const errors = KINDS.reduce((n, k) => n + res[name(ROWS[k].gen, 'https')].reduce((m, r) => m + r.errors, 0), 0);
    const checks: Check[] = [{ target: '#12 HTTPS closed loop vs nginx (telco and light rows): every request answered', value: `${errors} errors`, pass: errors === 0 }];
    const markdown = [
      '### HTTPS vs HTTP: closed loop vs nginx, telco and light rows',
      '',
      `One nginx (1 worker) answering the same fixed JSON on an HTTP and an HTTPS port (TLS 1.3, ECDSA P-256, nginx defaults), 50 connections, ` +
        `${o.seconds} s per run, ${o.rounds === 1 ? '1 round' : `${o.rounds} rounds`}, the six runs of a round interleaved (order rotating). modelwave telco: \`bench/scenarios/${ROWS.telco.closed}\`, ` +
        `light: \`bench/scenarios/${ROWS.light.closed}\` (HTTPS: the same with \`target.tls.ca\`); wrk \`-t${o.wrkThreads}\`, one telco-row request. ` +
        `CPU = user + system of the whole process from GNU time, start-up included.`,
      '',
      table(
        ['run', 'req/s', 'CPU µs/req', 'marginal CPU µs/req', 'p50 ms', 'p99 ms', 'peak RSS MB'],
        gens.map(({ name: v }) => [
          v,
          fmtSpread(col(res[v], (r) => r.rps), 0),
          fmtSpread(col(res[v], (r) => r.cpuUsPerReq)),
          marginal(v),
          fmtSpread(col(res[v], (r) => r.latencyMs.p50), 3),
          fmtSpread(col(res[v], (r) => r.latencyMs.p99), 3),
          fmtSpread(col(res[v], (r) => r.maxRssMb), 0),
        ]),
      ),
      '',
      table(
        ['same round', 'req/s', 'CPU µs/req'],
        [
          ...SUBJECTS.map((x) => [`${x}: HTTPS ÷ HTTP`, ratio(name(x, 'https'), name(x, 'http'), (r) => r.rps), ratio(name(x, 'https'), name(x, 'http'), (r) => r.cpuUsPerReq)]),
          ...KINDS.flatMap((k) =>
            SCHEMES.map((s) => [`${ROWS[k].gen} ÷ wrk, ${s}`, ratio(name(ROWS[k].gen, s), name('wrk', s), (r) => r.rps), ratio(name(ROWS[k].gen, s), name('wrk', s), (r) => r.cpuUsPerReq)]),
          ),
        ],
      ),
      '',
      `Fixed start-up + teardown CPU (median of 2): ${Object.entries(fixedMs)
        .map(([v, ms]) => `${v} ${fmt(ms, 0)} ms`)
        .join(', ')}.`,
      '',
      `Load average (1 min) before/after: ${fmt(loadBefore, 2)} / ${fmt(loadAverage(), 2)}.`,
    ].join('\n');
    return { id: 'closed-https', title: 'HTTPS vs HTTP: closed loop vs nginx', markdown, checks, loadBefore, loadAfter: loadAverage(), data: { res, fixedMs } };
  } finally {
    await ng.stop();
  }
}
