// The Node floor (issue #19): the least a Node client can do per request on this machine, as a peer in `npm run
// bench`. One thread, N keep-alive sockets (node:net), one prebuilt request, a closed loop: each answer's status line,
// Content-Length and JSON body are parsed, its latency (send → whole answer read) goes into an HDR histogram, and the
// same socket sends the next request. No rows, no records, no threads. What modelwave spends above it per request is
// modelwave's own work, not Node's or the kernel's.
// With `--rate R` it is the open-loop floor instead: arrivals evenly spaced at R per second from t = 0, each sent when
// due on an idle socket (a timer wakes the thread for the next due arrival; answers also send what has become due),
// latency from the intended send time — the least an evenly paced open loop costs in Node. (autocannon's `-R` is not
// that: each connection sends its quota back to back at the start of every second, then waits: a bursty closed loop.)
//   node dist/bench/lib/node-floor.js --url http://127.0.0.1:8080/invocations --body-file body.json [--connections 50] [--seconds 5] [--rate 5000]
// Prints one JSON line (FloorJson) and exits 0; exits 1 if a socket fails or an answer is not a 2xx JSON answer.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';

export interface FloorOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Open loop: arrivals per second, evenly spaced (unset: a closed loop, each socket sends again at once). */
  rate?: number;
}

/** What the floor client prints: counts over the measured period and latency percentiles in µs. */
export interface FloorJson {
  requests: number;
  /** Open loop: arrivals sent more than 1 ms after their intended time (late timer, or no free socket). */
  lateSends: number;
  errors: number;
  durationUs: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const CR = 13;
const LF = 10;

/** `POST path HTTP/1.1` with the headers modelwave sends, as one Buffer written for every request. */
export function prebuiltRequest(url: URL, body: string): Buffer {
  const b = Buffer.from(body);
  const head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/** One parsed answer: its status, where it ends in `buf`, and its JSON body; `undefined` while incomplete. */
export interface Answer {
  status: number;
  end: number;
  json: unknown;
}

const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/** Parses one HTTP/1.1 answer at the start of buf[0, n): status line, Content-Length, then JSON.parse of the body. */
export function parseAnswer(buf: Buffer, n: number): Answer | undefined {
  let headEnd = -1;
  for (let i = 3; i < n; i++) {
    if (buf[i] === LF && buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR) {
      headEnd = i + 1;
      break;
    }
  }
  if (headEnd < 0) return undefined;
  // "HTTP/1.1 200 OK": the three digits at 9–11.
  const status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48);
  const m = CONTENT_LENGTH.exec(buf.toString('latin1', 0, headEnd));
  if (!m) throw new Error('answer without Content-Length');
  const end = headEnd + Number(m[1]);
  if (end > n) return undefined;
  return { status, end, json: JSON.parse(buf.toString('utf8', headEnd, end)) };
}

export function runFloor(o: FloorOptions): Promise<FloorJson> {
  const url = new URL(o.url);
  const request = prebuiltRequest(url, o.body);
  const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  // One read buffer for every socket (reads are synchronous callbacks); an answer split over reads is kept per socket.
  const shared = Buffer.allocUnsafe(65_536);
  const intervalMs = o.rate ? 1000 / o.rate : 0;
  let requests = 0;
  let errors = 0;
  let lateSends = 0;
  let measuring = true;
  let t0 = 0;
  let tEnd = 0;
  /** Open loop: the next arrival's number (its intended time is t0 + next · intervalMs). */
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    const idle: Conn[] = [];
    const sockets: net.Socket[] = [];
    let ready = 0;
    const fail = (err: Error) => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      reject(err);
    };
    /** Send every arrival due by now on a free socket; then sleep until the next one is due. */
    const pump = () => {
      if (!measuring) return;
      const now = performance.now();
      while (t0 + next * intervalMs <= now) {
        const c = idle.pop();
        if (!c) return; // sent when a socket frees up: read() pumps again
        const intendedAt = t0 + next * intervalMs;
        if (now - intendedAt > 1) lateSends++;
        c.send(intendedAt);
        next++;
      }
      clearTimeout(timer);
      timer = setTimeout(pump, Math.max(1, Math.floor(t0 + next * intervalMs - now)));
    };
    const start = () => {
      t0 = performance.now();
      if (o.rate) {
        idle.push(...conns);
        pump();
      } else for (const c of conns) c.send(performance.now());
      setTimeout(() => {
        measuring = false;
        clearTimeout(timer);
        tEnd = performance.now();
        for (const s of sockets) s.destroy();
        resolve({
          requests,
          lateSends,
          errors,
          durationUs: Math.round((tEnd - t0) * 1000),
          p50: hist.getValueAtPercentile(50),
          p90: hist.getValueAtPercentile(90),
          p99: hist.getValueAtPercentile(99),
          p999: hist.getValueAtPercentile(99.9),
          max: hist.maxValue,
        });
      }, o.seconds * 1000);
    };
    class Conn {
      /** When the request in flight was due (closed loop: when it was sent). */
      intendedAt = 0;
      pending: Buffer | undefined;
      readonly socket: net.Socket;
      constructor() {
        this.socket = net.connect({
          host: url.hostname,
          port: Number(url.port || 80),
          noDelay: true,
          onread: { buffer: shared, callback: (n: number, buf: Uint8Array) => this.read(n, buf as Buffer) },
        });
        this.socket.once('connect', () => {
          if (++ready === o.connections) start();
        });
        this.socket.on('error', (e) => measuring && fail(e));
        this.socket.on('close', () => measuring && fail(new Error('the server closed a keep-alive connection')));
        sockets.push(this.socket);
      }
      send(intendedAt: number): void {
        this.intendedAt = intendedAt;
        this.socket.write(request);
      }
      read(n: number, chunk: Buffer): boolean {
        let buf = chunk;
        if (this.pending) {
          buf = Buffer.concat([this.pending, chunk.subarray(0, n)]);
          n = buf.length;
          this.pending = undefined;
        }
        const a = parseAnswer(buf, n);
        if (!a) {
          this.pending = Buffer.from(buf.subarray(0, n));
          return true;
        }
        if (a.end !== n) {
          fail(new Error('bytes after the answer (nothing was pipelined)'));
          return false;
        }
        if (!measuring) return true;
        hist.recordValue(Math.max(1, Math.round((performance.now() - this.intendedAt) * 1000)));
        requests++;
        if (a.status < 200 || a.status > 299 || a.json === null || typeof a.json !== 'object') errors++;
        if (o.rate) {
          idle.push(this);
          pump();
        } else this.send(performance.now());
        return true;
      }
    }
    const conns = Array.from({ length: o.connections }, () => new Conn());
  });
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const url = arg(argv, 'url');
  const bodyFile = arg(argv, 'body-file');
  if (!url || !bodyFile) {
    console.error('usage: node dist/bench/lib/node-floor.js --url URL --body-file FILE [--connections 50] [--seconds 5] [--rate R]');
    process.exit(2);
  }
  runFloor({ url, body: readFileSync(bodyFile, 'utf8'), connections: Number(arg(argv, 'connections') ?? 50), seconds: Number(arg(argv, 'seconds') ?? 5), ...(arg(argv, 'rate') && { rate: Number(arg(argv, 'rate')) }) }).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`node floor: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
