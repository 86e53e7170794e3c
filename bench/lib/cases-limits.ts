// The suite's limit cases (issue #8's targets): the highest open-loop rate with lag p99 ≤ 1 ms, the tail latency
// measured through stalls against its analytic values, and peak RSS over 100k and 2M requests (with the embedded
// store apart). Per-request cost, with the telco and light rows, is in cases.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { holds, interleave, result, withTarget, type BenchOptions, type CaseResult, type Check } from './kit.js';
import { loadAverage } from './proc.js';
import { fmt, ratio, table } from './stats.js';
import { startNginx, startReference } from './targets.js';
import { runAutocannon, runModelwave, TELCO_PEER_BODY } from './tools.js';

/** The highest open-loop rate whose lag p99 stays ≤ 1 ms against nginx (doubling, then bisection). */
export async function maxRate(o: BenchOptions, autocannonRps?: number): Promise<CaseResult> {
  const load = loadAverage();
  return withTarget(startNginx, async (ng) => {
    // autocannon's closed-loop req/s: closed-nginx's median when it ran first, else one run here.
    const autocannonClosedRps =
      autocannonRps ?? (await runAutocannon({ url: ng.mlflowEndpoint, connections: 50, seconds: o.seconds, body: TELCO_PEER_BODY })).rps;
    const seconds = o.quick ? 2 : 3;
    const probes: { rate: number; ok: boolean; lagP99: number; rps: number; dropped: number; cpu: number }[] = [];
    const probe = async (rate: number): Promise<boolean> => {
      const r = await runModelwave({ scenario: 'open-rate.yaml', url: ng.endpoint, duration: `${seconds}s`, rate, warmupSeconds: 1, workers: o.workers, seconds: seconds + 1 });
      const lagP99 = r.lagMs?.p99 ?? Infinity;
      const ok = lagP99 <= 1 && (r.dropped ?? 0) === 0 && r.rps >= rate * 0.98;
      probes.push({ rate, ok, lagP99, rps: r.rps, dropped: r.dropped ?? 0, cpu: r.cpuUsPerReq });
      o.log(`  rate ${fmt(rate, 0).padStart(7)} req/s: achieved ${fmt(r.rps, 0)}, lag p99 ${fmt(lagP99, 3)} ms, dropped ${r.dropped ?? 0} → ${ok ? 'ok' : 'too fast'}`);
      return ok;
    };
    // Lag is not monotone in the rate here: at a few thousand req/s the worker sleeps between sends and each wake-up
    // of the VM is late by 1–3 ms, at high rates it never sleeps. So scan upwards past failures, then bisect above
    // the highest rate that passed.
    let lo = 0;
    let hi = 0;
    let failsInRow = 0;
    for (let rate = 5000; rate <= 160000 && (lo === 0 || failsInRow < 2); rate *= 2) {
      if (await probe(rate)) {
        lo = rate;
        hi = 0;
        failsInRow = 0;
      } else {
        if (hi === 0 || rate < hi) hi = lo > 0 ? rate : hi;
        failsInRow++;
      }
    }
    if (lo > 0 && hi === 0) hi = lo * 2;
    for (let i = 0; i < (o.quick ? 2 : 4) && lo > 0 && hi - lo > 1000; i++) {
      const mid = Math.round((lo + hi) / 2 / 500) * 500;
      if (await probe(mid)) lo = mid;
      else hi = mid;
    }
    const checks: Check[] = [
      {
        target: '#8 highest open-loop rate with lag p99 ≤ 1 ms (nginx) > autocannon closed-loop max',
        value: `${fmt(lo, 0)} req/s vs ${fmt(autocannonClosedRps, 0)} req/s`,
        pass: lo > autocannonClosedRps,
      },
    ];
    const parts = [
      `nginx, open loop (\`bench/scenarios/open-rate.yaml\`), ${seconds} s per probe after a 1 s warm-up phase ramping up to the rate ` +
        `(excluded from the statistics, as a user would run it): a rate passes when lag p99 ≤ 1 ms, nothing is dropped ` +
        `and ≥ 98% of it is achieved. Doubling from 5,000 req/s (past failures: lag is worst at moderate rates, see below), then bisection. Highest passing rate: **${fmt(lo, 0)} req/s** ` +
        `(autocannon's closed-loop maximum in this run: ${fmt(autocannonClosedRps, 0)} req/s).`,
      '',
      table(
        ['rate req/s', 'achieved', 'lag p99 ms', 'dropped', 'CPU µs/req', 'verdict'],
        probes.map((p) => [fmt(p.rate, 0), fmt(p.rps, 0), fmt(p.lagP99, 3), String(p.dropped), fmt(p.cpu), p.ok ? 'ok' : 'too fast']),
      ),
    ];
    return result('max-rate', 'Highest open-loop rate with lag p99 ≤ 1 ms vs nginx', load, parts, checks, { probes, highest: lo });
  });
}

const ANALYTIC = { p90: 300, p99: 480, p999: 498 };

/** Stalls (500 ms every 2 s) at 1,000 req/s for 10 s: tail percentiles vs the analytic ones, autocannon beside. */
export async function stall(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  const runs = o.quick ? 1 : 3;
  const seconds = o.quick ? 4 : 10;
  return withTarget(
    () => startReference(['--stall', '500ms/2s']),
    async (ref) => {
      const res = await interleave({ ...o, rounds: runs }, [
        { name: 'modelwave', run: () => runModelwave({ scenario: 'stall-1k.yaml', url: ref.endpoint, duration: `${seconds}s`, workers: o.workers, seconds }) },
        { name: 'autocannon', run: () => runAutocannon({ url: ref.endpoint, connections: 50, seconds, rate: 1000 }) },
      ]);
      const within = (got: number, want: number) => Math.abs(got - want) <= want * 0.05;
      const rows = ['modelwave', 'autocannon'].flatMap((t) =>
        res[t].map((r, i) => [
          `${t} run ${i + 1}`,
          fmt(r.latencyMs.p90, 1),
          fmt(r.latencyMs.p99, 1),
          fmt(r.latencyMs.p999, 1),
          t === 'modelwave' ? holds(within(r.latencyMs.p90, ANALYTIC.p90) && within(r.latencyMs.p99, ANALYTIC.p99) && within(r.latencyMs.p999, ANALYTIC.p999)) : '–',
        ]),
      );
      const allOk = res.modelwave.every((r) => within(r.latencyMs.p90, ANALYTIC.p90) && within(r.latencyMs.p99, ANALYTIC.p99) && within(r.latencyMs.p999, ANALYTIC.p999));
      const checks: Check[] = [
        {
          target: `#8 stalls: p90/p99/p99.9 within 5% of 300/480/498 ms in each of ${runs} runs`,
          value: res.modelwave.map((r) => `${fmt(r.latencyMs.p90, 0)}/${fmt(r.latencyMs.p99, 0)}/${fmt(r.latencyMs.p999, 0)}`).join(', '),
          pass: allOk,
        },
      ];
      const parts = [
        `Reference server with \`--stall 500ms/2s\`, 1,000 req/s for ${seconds} s (\`bench/scenarios/stall-1k.yaml\`), ${runs} runs; autocannon \`-R 1000 -c 50\` beside. ` +
          `Analytic: a quarter of the requests arrive during a pause and wait uniformly 0–500 ms → p90 300, p99 480, p99.9 498 ms.` +
          (o.quick ? ' (quick: 4 s = 2 stall periods, one run)' : ''),
        '',
        table(['run', 'p90 ms', 'p99 ms', 'p99.9 ms', 'within 5%'], [['analytic', '300', '480', '498', ''], ...rows]),
      ];
      return result('stall', 'Stall server at 1,000 req/s: tail latency vs the analytic values', load, parts, checks, { res });
    },
  );
}

/** Peak RSS of a 100k-request run and a 2M-request run (closed loop vs nginx): must stay flat and ≤ 150 MB. */
export async function rss(o: BenchOptions): Promise<CaseResult> {
  const load = loadAverage();
  return withTarget(startNginx, async (ng) => {
    // Quick: the same files capped by --duration (whichever ends first).
    const small = await runModelwave({ scenario: 'rss-100k.yaml', url: ng.endpoint, workers: o.workers, seconds: 60, ...(o.quick ? { duration: '1s' } : {}) });
    o.log(`  ${small.requests} requests: peak RSS ${fmt(small.maxRssMb, 0)} MB`);
    const big = await runModelwave({ scenario: 'rss-2m.yaml', url: ng.endpoint, workers: o.workers, seconds: 600, ...(o.quick ? { duration: '6s' } : {}) });
    o.log(`  ${big.requests} requests: peak RSS ${fmt(big.maxRssMb, 0)} MB`);
    // The same 100k run with the embedded store, into a fresh directory (the store is created) and again into it: the
    // store process (PGlite) is a second process, whose memory the figures above leave out.
    const storeDir = mkdtempSync(path.join(tmpdir(), 'mw-bench-store-'));
    const stored: [string, Awaited<ReturnType<typeof runModelwave>>][] = [];
    try {
      for (const label of ['fresh store', 'existing store']) {
        const r = await runModelwave({ scenario: 'rss-100k.yaml', url: ng.endpoint, workers: o.workers, seconds: 60, store: storeDir, ...(o.quick ? { duration: '1s' } : {}) });
        const tr = r.treeRssMb!;
        o.log(`  ${r.requests} requests, ${label}: peak RSS main ${fmt(tr.main, 0)} MB + store process ${fmt(tr.store, 0)} MB = ${fmt(tr.sum, 0)} MB`);
        stored.push([label, r]);
      }
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
    const growth = big.maxRssMb / small.maxRssMb;
    const checks: Check[] = [
      { target: '#8 peak RSS ≤ 150 MB', value: `${fmt(small.maxRssMb, 0)} / ${fmt(big.maxRssMb, 0)} MB`, pass: Math.max(small.maxRssMb, big.maxRssMb) <= 150 },
      { target: '#8 peak RSS flat from 100k to 2M requests (≤ +10%)', value: `${ratio(big.maxRssMb, small.maxRssMb)}`, pass: growth <= 1.1 },
    ];
    const parts = [
      `nginx, closed loop at 50 in flight, default windows (every 1,000 requests)${o.quick ? ' — quick: capped at 1 s and 6 s' : ''}.`,
      '',
      table(
        ['run', 'requests', 'req/s', 'peak RSS MB', 'CPU µs/req'],
        [
          ['rss-100k', fmt(small.requests, 0), fmt(small.rps, 0), fmt(small.maxRssMb, 0), fmt(small.cpuUsPerReq)],
          ['rss-2m', fmt(big.requests, 0), fmt(big.rps, 0), fmt(big.maxRssMb, 0), fmt(big.cpuUsPerReq)],
        ],
      ),
      '',
      'rss-100k with the embedded store (`--store DIR`: a fresh directory, then the same one again): the CLI process and the store process (PGlite), peak RSS sampled from /proc every 100 ms (bench/lib/tree-rss.ts); the sum is the peak of the two at one instant.',
      '',
      table(
        ['run', 'requests', 'req/s', 'main MB', 'store process MB', 'main + store MB'],
        stored.map(([label, r]) => [`rss-100k, ${label}`, fmt(r.requests, 0), fmt(r.rps, 0), fmt(r.treeRssMb!.main, 0), fmt(r.treeRssMb!.store, 0), fmt(r.treeRssMb!.sum, 0)]),
      ),
    ];
    return result('rss', 'Peak RSS: 100k vs 2M requests, and with the embedded store', load, parts, checks, { small, big, stored: Object.fromEntries(stored) });
  });
}

