// How the client should read TLS sockets: `onread` into one shared buffer (what it does for plain TCP) vs 'data'
// events (a new Buffer per read). Closed loop, 50 keep-alive TLS connections to nginx, one thread, the same
// request and the client's own response parser; the two methods alternate in rounds, in one process.
//   node dist/bench/tls-read.js [--seconds 3] [--rounds 4]
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { PARSE_DONE, PARSE_MORE, ResponseParser } from '../src/engine/net/h1parse.js';
import { stopAll } from './lib/proc.js';
import { startNginx } from './lib/targets.js';
import { PEER_BODY } from './lib/tools.js';

type Method = 'onread' | 'data';
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

async function closedLoop(method: Method, url: URL, ca: string, seconds: number): Promise<{ rps: number; cpuUsPerReq: number }> {
  const req = `POST /model HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${PEER_BODY.length}\r\n\r\n${PEER_BODY}`;
  const ctx = tls.createSecureContext({ ca });
  const shared = Buffer.allocUnsafe(64 * 1024);
  let done = 0;
  let stop = false;
  const socks: tls.TLSSocket[] = [];
  await Promise.all(
    Array.from({ length: 50 }, () => {
      const parser = new ResponseParser(1 << 20);
      const onBytes = (buf: Buffer, n: number, isShared: boolean) => {
        const r = parser.feed(buf, 0, n, isShared);
        if (r === PARSE_MORE) return;
        if (r !== PARSE_DONE) throw new Error(`bad response (${r})`);
        parser.reset();
        done++;
        if (!stop) s.write(req, 'latin1');
      };
      const opts: tls.ConnectionOptions = { host: url.hostname, port: Number(url.port), secureContext: ctx };
      if (method === 'onread') Object.assign(opts, { onread: { buffer: shared, callback: (n: number, b: Uint8Array) => (onBytes(b as Buffer, n, true), true) } });
      const s = tls.connect(opts);
      s.setNoDelay(true);
      if (method === 'data') s.on('data', (d: Buffer) => onBytes(d, d.length, false));
      socks.push(s);
      return new Promise<void>((r) => s.once('secureConnect', () => r()));
    }),
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n0 = done;
  for (const s of socks) s.write(req, 'latin1');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  const n = done - n0;
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const s of socks) s.destroy();
  return { rps: n / wallS, cpuUsPerReq: (cpu.user + cpu.system) / n };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 3);
  const rounds = arg('rounds', 4);
  const ng = await startNginx({ tls: true });
  try {
    const url = new URL(ng.tlsEndpoint!);
    const ca = readFileSync(ng.caFile!, 'utf8');
    await closedLoop('onread', url, ca, 1); // warm-up (JIT, nginx)
    const out: Record<Method, { rps: number; cpuUsPerReq: number }[]> = { onread: [], data: [] };
    for (let r = 0; r < rounds; r++) {
      for (const m of (r % 2 ? ['data', 'onread'] : ['onread', 'data']) as Method[]) {
        const x = await closedLoop(m, url, ca, seconds);
        out[m].push(x);
        console.log(`round ${r + 1} ${m.padEnd(6)} ${x.rps.toFixed(0).padStart(7)} req/s  ${x.cpuUsPerReq.toFixed(2)} µs CPU/req`);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    for (const m of ['onread', 'data'] as Method[]) {
      console.log(`${m}: median ${med(out[m].map((x) => x.rps)).toFixed(0)} req/s, ${med(out[m].map((x) => x.cpuUsPerReq)).toFixed(2)} µs CPU/req`);
    }
    const ratios = out.onread.map((x, i) => x.cpuUsPerReq / out.data[i].cpuUsPerReq);
    console.log(`onread ÷ data CPU/req per round: ${ratios.map((x) => x.toFixed(3)).join(', ')}`);
  } finally {
    await ng.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    stopAll();
    console.error(err);
    process.exit(1);
  },
);
