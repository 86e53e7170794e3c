// The suite's per-request cost cases (issues #8 and #19). Each runs modelwave with both kinds of rows (rows.ts: the
// telco rows a user writes, the light rows) beside the peers, interleaved in the same rounds, stops what it started,
// and returns a Markdown section with medians, [min–max], modelwave's figures as ratios to the peers of the same round,
// and the issues' targets computed from those figures. The limit cases (max rate, stalls, RSS) are in cases-limits.ts.
import {
  autocannonFixedMs,
  col,
  genTable,
  interleave,
  marginalOf,
  modelwaveFixedMs,
  perRound,
  ratioSpread,
  result,
  roundDiffs,
  roundRatios,
  withTarget,
  type BenchOptions,
  type CaseResult,
  type Check,
  type Gen,
} from './kit.js';
import { loadAverage } from './proc.js';
import { ROWS, type RowKind } from './rows.js';
import { fmt, fmtSignedSpread, fmtSpread, table } from './stats.js';
import { startNginx, startReference, type Target } from './targets.js';
import { runAutocannon, runModelwave, runNodeFloor, runWrk, TELCO_PEER_BODY, type GenResult } from './tools.js';

const KINDS: RowKind[] = ['telco', 'light'];
const PEERS = ['autocannon', 'node floor', 'wrk'] as const;
const rps = (r: GenResult) => r.rps;
const cpu = (r: GenResult) => r.cpuUsPerReq;
const rounds = (o: BenchOptions) => (o.rounds === 1 ? '1 round' : `${o.rounds} rounds`);

/** How the tables name the baseline build's modelwave with these rows (`--baseline DIR`). */
const baseName = (o: BenchOptions, k: RowKind) => `${ROWS[k].gen} @${o.baseline!.label}`;

/**
 * modelwave with each kind of rows against a target (closed loop: 50 in flight; open: the scenario's rate), for
 * o.seconds; with --baseline, the baseline build's with each kind too.
 */
function modelwaveGens(o: BenchOptions, t: Target, loop: 'closed' | 'open'): Gen[] {
  const gen = (k: RowKind, cli?: string): (() => Promise<GenResult>) => () =>
    runModelwave({ scenario: ROWS[k][loop], url: ROWS[k].endpoint(t), duration: `${o.seconds}s`, workers: o.workers, seconds: o.seconds, cli });
  return [
    ...KINDS.map((k) => ({ name: ROWS[k].gen, run: gen(k) })),
    ...(o.baseline ? KINDS.map((k) => ({ name: baseName(o, k), run: gen(k, o.baseline!.cli) })) : []),
  ];
}

/** With --baseline: this checkout ÷ the baseline, same round, per kind of rows. */
function baselineTable(o: BenchOptions, res: Record<string, GenResult[]>, figures: [string, (r: GenResult) => number][]): string[] {
  if (!o.baseline) return [];
  return [
    '',
    table(
      [`this checkout ÷ @${o.baseline.label} (same round)`, ...figures.map(([f]) => f)],
      KINDS.map((k) => [`${k} rows`, ...figures.map(([, f]) => ratioSpread(roundRatios(res[ROWS[k].gen], res[baseName(o, k)], f)))]),
    ),
  ];
}

/** The closed-loop peers, 50 connections, each sending one telco-row request (the same body every time). */
function closedPeers(o: BenchOptions, t: Target): Gen[] {
  const p = { url: t.mlflowEndpoint, connections: 50, seconds: o.seconds, body: TELCO_PEER_BODY };
  return [
    { name: 'autocannon', run: () => runAutocannon(p) },
    { name: 'node floor', run: () => runNodeFloor(p) },
    { name: 'wrk', run: () => runWrk({ ...p, threads: o.wrkThreads }) },
  ];
}

const loadCpu = (r: GenResult) => r.loadCpuUsPerReq ?? NaN;

/** modelwave's CPU per request between t = 0 and the end of the load, per kind of rows (and the baseline's). */
function loadCpuLine(res: Record<string, GenResult[]>): string {
  const names = Object.keys(res).filter((n) => n.startsWith('modelwave'));
  return (
    `CPU per request during the load alone (the process's utime + stime from /proc at the run's t = 0 and end: start-up and teardown left out): ` +
    names.map((n) => `${n} ${fmtSpread(col(res[n], loadCpu))} µs`).join(', ') +
    '.'
  );
}

/** modelwave (each kind of rows) ÷ each peer, same round: req/s and CPU per request. */
function peerRatioTable(res: Record<string, GenResult[]>): string {
  return table(
    ['modelwave ÷ peer (same round)', 'telco rows: req/s', 'telco rows: CPU µs/req', 'light rows: req/s', 'light rows: CPU µs/req'],
    [
      ...PEERS.map((p) => [
        `÷ ${p}`,
        ...KINDS.flatMap((k) => [ratioSpread(roundRatios(res[ROWS[k].gen], res[p], rps)), ratioSpread(roundRatios(res[ROWS[k].gen], res[p], cpu))]),
      ]),
      ['telco ÷ light', ratioSpread(roundRatios(res[ROWS.telco.gen], res[ROWS.light.gen], rps)), ratioSpread(roundRatios(res[ROWS.telco.gen], res[ROWS.light.gen], cpu)), '', ''],
    ],
  );
}

const PEER_LINE =
  `Peers (one fixed telco-row request to the target's \`/invocations\`, 50 connections): autocannon (defaults: one thread), the **Node floor** ` +
  `(\`bench/lib/node-floor.ts\`: one thread, 50 keep-alive \`node:net\` sockets, a prebuilt request, each answer's status line, Content-Length and JSON parsed, ` +
  `latency into an HDR histogram — the least a Node client does per request), wrk`;

/** Closed loop, 50 connections, against nginx: req/s and CPU per request, both kinds of rows, against the three peers. */
export async function closedNginx(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  return withTarget(startNginx, async (ng) => {
    const gens = [...modelwaveGens(o, ng, 'closed'), ...closedPeers(o, ng)];
    const res = await interleave(o, gens);
    const fixed = {
      telcoMs: await modelwaveFixedMs(o, ROWS.telco.closed, ROWS.telco.endpoint(ng)),
      lightMs: await modelwaveFixedMs(o, ROWS.light.closed, ROWS.light.endpoint(ng)),
      autocannonMs: await autocannonFixedMs(ng.mlflowEndpoint, TELCO_PEER_BODY),
    };
    const T = res[ROWS.telco.gen];
    const L = res[ROWS.light.gen];
    const med = (name: string) => fmt(col(res[name], rps).median, 0);
    const tFloor = roundRatios(T, res['node floor'], rps);
    const tAc = roundRatios(T, res.autocannon, rps);
    const tWrk = roundRatios(T, res.wrk, rps);
    const lAc = roundRatios(L, res.autocannon, rps);
    const lWrk = roundRatios(L, res.wrk, rps);
    const lFloor = roundRatios(L, res['node floor'], rps);
    const lCpu = col(L, cpu);
    const checks: Check[] = [
      {
        target: '#19 closed loop, telco rows: req/s ≥ 0.8× the Node floor',
        value: `${ratioSpread(tFloor)} (${med(ROWS.telco.gen)} vs ${med('node floor')} req/s)`,
        pass: tFloor.median >= 0.8,
        sentence: `Closed loop with the telco rows, modelwave reaches ${ratioSpread(tFloor)} of the Node floor's req/s in the same rounds (target ≥ 0.8×)`,
      },
      {
        target: '#19 closed loop, telco rows: req/s ≥ 1.5× autocannon',
        value: `${ratioSpread(tAc)} (${med(ROWS.telco.gen)} vs ${med('autocannon')} req/s)`,
        pass: tAc.median >= 1.5,
        sentence: `Closed loop with the telco rows, modelwave reaches ${ratioSpread(tAc)} autocannon's req/s in the same rounds (target ≥ 1.5×)`,
      },
      { target: '#19 closed loop, telco rows: req/s ÷ wrk', value: `${ratioSpread(tWrk)} (wrk ${med('wrk')} req/s)` },
      { target: '#19 closed loop, light rows: req/s ÷ Node floor', value: `${ratioSpread(lFloor)} (${med(ROWS.light.gen)} req/s)` },
      { target: '#8 closed loop, light rows: req/s ≥ 1.2× autocannon', value: ratioSpread(lAc), pass: lAc.median >= 1.2 },
      { target: '#8 closed loop, light rows: req/s ≥ 0.7× wrk', value: ratioSpread(lWrk), pass: lWrk.median >= 0.7 },
      {
        target: '#8 closed loop, light rows: generator CPU ≤ 12 µs/request',
        value: `${fmtSpread(lCpu)} (marginal ${fmtSpread(marginalOf(L, fixed.lightMs))})`,
        pass: lCpu.median <= 12,
      },
    ];
    const parts = [
      `nginx (1 worker, fixed JSON answer), 50 connections, ${o.seconds} s per run, ${rounds(o)}, the ${gens.length} generators interleaved (order rotating). ` +
        `modelwave: every request generated, recorded and its prediction reconciled — **modelwave telco**: \`bench/scenarios/${ROWS.telco.closed}\` ` +
        `(scenarios/telco.yaml's data, faker \`device_id\` included, mlflow-split, to \`/invocations\`); **modelwave light**: \`bench/scenarios/${ROWS.light.closed}\` ` +
        `(no faker field, Cloudera, to \`/model\`). ${PEER_LINE} \`-t${o.wrkThreads}\`. CPU = user + system of the whole process from GNU time, start-up included.`,
      '',
      genTable(res, gens.map((g) => g.name)),
      '',
      peerRatioTable(res),
      ...baselineTable(o, res, [
        ['req/s', rps],
        ['CPU µs/req', cpu],
      ]),
      '',
      `Fixed start-up + teardown CPU (median of 2): modelwave telco ${fmt(fixed.telcoMs, 0)} ms, light ${fmt(fixed.lightMs, 0)} ms, autocannon ${fmt(fixed.autocannonMs, 0)} ms. ` +
        `Marginal CPU per request (fixed part removed): modelwave telco ${fmtSpread(marginalOf(T, fixed.telcoMs))} µs, light ${fmtSpread(marginalOf(L, fixed.lightMs))} µs, ` +
        `autocannon ${fmtSpread(marginalOf(res.autocannon, fixed.autocannonMs))} µs. ${loadCpuLine(res)}`,
    ];
    return result('closed-nginx', 'Closed loop vs nginx: throughput and CPU per request, telco and light rows, against autocannon, the Node floor and wrk', load, parts, checks, {
      res,
      fixed,
    });
  });
}

/** Open loop at 5,000 req/s against nginx, both kinds of rows: CPU per request and lag, autocannon -R 5000 beside. */
export async function open5k(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  return withTarget(startNginx, async (ng) => {
    const gens: Gen[] = [
      ...modelwaveGens(o, ng, 'open'),
      { name: 'autocannon', run: () => runAutocannon({ url: ng.mlflowEndpoint, connections: 50, seconds: o.seconds, rate: 5000, body: TELCO_PEER_BODY }) },
      { name: 'node floor', run: () => runNodeFloor({ url: ng.mlflowEndpoint, connections: 50, seconds: o.seconds, rate: 5000, body: TELCO_PEER_BODY }) },
    ];
    const res = await interleave(o, gens);
    const floor = res['node floor'];
    const fixed = {
      telcoMs: await modelwaveFixedMs(o, ROWS.telco.open, ROWS.telco.endpoint(ng)),
      lightMs: await modelwaveFixedMs(o, ROWS.light.open, ROWS.light.endpoint(ng)),
      autocannonMs: await autocannonFixedMs(ng.mlflowEndpoint, TELCO_PEER_BODY),
    };
    const ac = res.autocannon;
    const acMarginal = marginalOf(ac, fixed.autocannonMs);
    const per = (k: RowKind) => {
      const rs = res[ROWS[k].gen];
      const fixedMs = k === 'telco' ? fixed.telcoMs : fixed.lightMs;
      return { rs, cpu: col(rs, cpu), marginal: marginalOf(rs, fixedMs), vsAc: roundRatios(rs, ac, cpu), lag: col(rs, (r) => r.lagMs?.p99 ?? NaN) };
    };
    const t = per('telco');
    const l = per('light');
    const checks: Check[] = [
      {
        target: "#19 open loop 5,000 req/s, telco rows: CPU per request ≤ autocannon -R 5000's",
        value: `${ratioSpread(t.vsAc)} (${fmtSpread(t.cpu)} vs ${fmtSpread(col(ac, cpu))} µs; marginal ${fmtSpread(t.marginal)} vs ${fmtSpread(acMarginal)} µs)`,
        pass: t.vsAc.median <= 1,
        sentence: `Open loop at 5,000 req/s with the telco rows, modelwave spends ${ratioSpread(t.vsAc)} autocannon's CPU per request in the same rounds (target ≤ 1×)`,
      },
      { target: "#19 open loop 5,000 req/s, light rows: CPU per request ÷ autocannon's", value: `${ratioSpread(l.vsAc)} (${fmtSpread(l.cpu)} µs; marginal ${fmtSpread(l.marginal)} µs)` },
      {
        target: '#19 open loop 5,000 req/s: CPU per request ÷ the open-loop Node floor (telco / light rows)',
        value: `${ratioSpread(roundRatios(t.rs, floor, cpu))} / ${ratioSpread(roundRatios(l.rs, floor, cpu))} (floor ${fmtSpread(col(floor, cpu))} µs)`,
      },
      { target: '#19 open loop 5,000 req/s: lag p99 (telco / light rows)', value: `${fmtSpread(t.lag, 3)} / ${fmtSpread(l.lag, 3)} ms` },
      {
        target: '#19 open loop 5,000 req/s: modelwave CPU per request during the load alone (telco / light rows)',
        value: `${fmtSpread(col(t.rs, loadCpu))} / ${fmtSpread(col(l.rs, loadCpu))} µs`,
      },
      { target: '#8 open loop 5,000 req/s, telco rows: generator CPU ≤ 25 µs/request', value: `${fmtSpread(t.cpu)} (marginal ${fmtSpread(t.marginal)})`, pass: t.cpu.median <= 25 },
      { target: '#8 open loop 5,000 req/s, telco rows: lag p99 ≤ 1 ms', value: `${fmtSpread(t.lag, 3)} ms`, pass: t.lag.median <= 1 },
    ];
    const parts = [
      `nginx (1 worker, fixed JSON answer), 5,000 req/s for ${o.seconds} s, ${rounds(o)} interleaved. modelwave generates every row, parses every prediction ` +
        `and reconciles it with its label — **modelwave telco**: \`bench/scenarios/${ROWS.telco.open}\` (scenarios/telco.yaml's data and drifting label, mlflow-split); ` +
        `**modelwave light**: \`bench/scenarios/${ROWS.light.open}\` (no faker field, Cloudera). autocannon: \`-R 5000 -c 50\`, one fixed telco-row request, ` +
        `nothing parsed (and not free of coordinated omission: each connection sends its 100 requests of the second back to back, then waits for the next second). ` +
        `**node floor**: \`bench/lib/node-floor.ts --rate 5000\`, the same fixed request on 50 sockets at evenly spaced intended times, each answer parsed, ` +
        `latency from the intended time — the least an evenly paced open loop costs in Node. (Until issue #19 this case ran against the reference server.)`,
      '',
      genTable(res, gens.map((g) => g.name), true),
      '',
      table(
        ['modelwave ÷ autocannon (same round)', 'CPU µs/req', 'req/s'],
        KINDS.map((k) => [`${k} rows`, ratioSpread(per(k).vsAc), ratioSpread(roundRatios(res[ROWS[k].gen], ac, rps))]),
      ),
      ...baselineTable(o, res, [
        ['CPU µs/req', cpu],
        ['lag p99', (r) => r.lagMs?.p99 ?? NaN],
      ]),
      '',
      KINDS.map((k) => {
        const rs = res[ROWS[k].gen];
        return `modelwave ${k}: lag p50 ${fmtSpread(col(rs, (r) => r.lagMs?.p50 ?? NaN), 3)} ms, max ${fmtSpread(col(rs, (r) => r.lagMs?.max ?? NaN), 3)} ms; dropped ${fmtSpread(col(rs, (r) => r.dropped ?? 0), 0)}.`;
      }).join(' ') +
        ` Fixed start-up + teardown CPU: modelwave telco ${fmt(fixed.telcoMs, 0)} ms, light ${fmt(fixed.lightMs, 0)} ms, autocannon ${fmt(fixed.autocannonMs, 0)} ms; ` +
        `marginal CPU per request: modelwave telco ${fmtSpread(t.marginal)} µs, light ${fmtSpread(l.marginal)} µs, autocannon ${fmtSpread(acMarginal)} µs. ${loadCpuLine(res)}`,
    ];
    return result('open-5k', 'Open loop 5,000 req/s vs nginx: CPU per request and lag, telco and light rows', load, parts, checks, { res, fixed });
  });
}

/**
 * A 10 ms server at 50 connections (closed loop): the reference server with `--latency 10ms` (a timer per answer;
 * nginx-light has no delay directive). modelwave's p99.9 against wrk's, with both kinds of rows.
 */
export async function tenMs(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  return withTarget(
    () => startReference(['--latency', '10ms']),
    async (ref) => {
      const gens = [...modelwaveGens(o, ref, 'closed'), ...closedPeers(o, ref)];
      const res = await interleave(o, gens);
      const p999 = (r: GenResult) => r.latencyMs.p999;
      const steady = (r: GenResult) => r.steadyP999Ms ?? NaN;
      const diff = (k: RowKind) => roundDiffs(res[ROWS[k].gen], res.wrk, p999);
      const steadyDiff = (k: RowKind) => perRound(res[ROWS[k].gen], res.wrk, (a, b) => steady(a) - p999(b));
      const td = diff('telco');
      const ld = diff('light');
      const checks: Check[] = [
        {
          target: "#19 10 ms server, 50 connections, telco rows: p99.9 ≤ wrk's + 1 ms",
          value: `${fmtSignedSpread(td, 2)} ms (p99.9 ${fmtSpread(col(res[ROWS.telco.gen], p999), 2)} vs ${fmtSpread(col(res.wrk, p999), 2)} ms)`,
          pass: td.median <= 1,
          sentence: `Against a 10 ms server at 50 connections with the telco rows, modelwave's p99.9 minus wrk's in the same rounds is ${fmtSignedSpread(td, 2)} ms (target ≤ +1 ms)`,
        },
        { target: "#19 10 ms server, light rows: p99.9 − wrk's", value: `${fmtSignedSpread(ld, 2)} ms` },
        { target: "#8 10 ms server, light rows: p99.9 ≤ wrk's + 2 ms", value: `${fmtSignedSpread(ld, 2)} ms`, pass: ld.median <= 2 },
      ];
      const parts = [
        `Reference server (\`modelwave serve --model telco@v1 --latency 10ms\`: every answer held 10 ms by a timer), closed loop, 50 connections, ${o.seconds} s, ` +
          `${rounds(o)} interleaved: modelwave telco (\`${ROWS.telco.closed}\`, to \`/invocations\`) and light (\`${ROWS.light.closed}\`, to \`/model\`). ${PEER_LINE} \`-t${o.wrkThreads}\`.`,
        '',
        genTable(res, gens.map((g) => g.name)),
        '',
        table(
          ['p99.9 − wrk p99.9 (same round), ms', 'whole run', "without modelwave's first second"],
          [
            ...KINDS.map((k) => [`modelwave ${k}`, fmtSignedSpread(diff(k), 2), fmtSignedSpread(steadyDiff(k), 2)]),
            ...(['node floor', 'autocannon'] as const).map((p) => [p, fmtSignedSpread(roundDiffs(res[p], res.wrk, p999), 2), '–']),
          ],
        ),
        '',
        `"Without modelwave's first second": the p99.9 of report.json's windows starting ≥ 1 s (start-up excluded) minus wrk's whole run. ${loadCpuLine(res)}`,
        '',
        peerRatioTable(res),
        ...baselineTable(o, res, [
          ['p99.9', p999],
          ['CPU µs/req', cpu],
        ]),
      ];
      return result('ten-ms', '10 ms server at 50 connections: p99.9 vs wrk, telco and light rows', load, parts, checks, { res });
    },
  );
}

/** modelwave with 1 worker and with 2 (the cores here), closed loop and open loop 5k vs nginx, both kinds of rows. */
export async function workers(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  const data: Record<string, GenResult[]> = {};
  await withTarget(startNginx, async (ng) => {
    for (let r = 0; r < o.rounds; r++) {
      for (const w of r % 2 ? [2, 1] : [1, 2]) {
        for (const k of KINDS) {
          for (const [loop, scenario] of [
            ['closed', ROWS[k].closed],
            ['open-5k', ROWS[k].open],
          ] as const) {
            const res = await runModelwave({ scenario, url: ROWS[k].endpoint(ng), duration: `${o.seconds}s`, workers: w, seconds: o.seconds });
            (data[`${loop} ${k} w${w}`] ??= []).push(res);
            o.log(`  ${loop} ${k} workers=${w}: ${fmt(res.rps, 0)} req/s, ${fmt(res.cpuUsPerReq)} µs/req, lag p99 ${fmt(res.lagMs?.p99 ?? NaN, 3)} ms`);
          }
        }
      }
    }
  });
  const rows = Object.entries(data)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, rs]) => [k, fmtSpread(col(rs, rps), 0), fmtSpread(col(rs, cpu)), fmtSpread(col(rs, (r) => r.lagMs?.p99 ?? NaN), 3), fmtSpread(col(rs, (r) => r.maxRssMb), 0)]);
  const parts = [
    `nginx; closed loop (50 in flight) and open loop 5,000 req/s, telco and light rows, ${o.seconds} s each, ${rounds(o)}, worker count alternating first.`,
    '',
    table(['case', 'req/s', 'CPU µs/req', 'lag p99 ms', 'peak RSS MB'], rows),
  ];
  return result('workers', 'Workers: 1 vs 2 on this 2-core machine', load, parts, [], data);
}
