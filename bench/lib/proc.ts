// Child processes for the bench: every process is started in its own process group and stopped by that id (never by
// name); generators run under GNU time, so their CPU (user + system, every thread) and peak RSS come from the OS.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watchChildCpu, type CpuSample } from './cpu-watch.js';
import { watchTreeRss, type Classify, type TreeRss } from './tree-rss.js';

export const GNU_TIME = '/usr/bin/time';

/** What the OS says about one finished generator process. */
export interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** user + system CPU of the process and all its threads (GNU time, 10 ms resolution). */
  cpuMs: number;
  userMs: number;
  sysMs: number;
  /** Peak resident set size (of the one process GNU time waited for; children are not in it). */
  maxRssKb: number;
  /** With `opts.tree`: peak RSS of the process tree by role, sampled from /proc (tree-rss.ts). */
  tree?: TreeRss;
  /** With `opts.cpu`: the command's CPU over time, sampled from /proc every 20 ms (cpu-watch.ts). */
  cpuSamples?: CpuSample[];
}

const live = new Set<ChildProcess>();

/** Stop every process group this bench started (on exit, Ctrl-C or a crash). */
export function stopAll(): void {
  for (const c of live) killGroup(c, 'SIGKILL');
  live.clear();
}

function killGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    // already gone
  }
}

/** Spawn in a new process group so the whole tree (e.g. GNU time + generator, nginx master + worker) stops together. */
export function startGroup(cmd: string, args: string[], opts: { cwd?: string; stdout?: 'pipe' | 'ignore' } = {}): ChildProcess {
  const c = spawn(cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
  live.add(c);
  c.once('exit', () => live.delete(c));
  return c;
}

/** SIGTERM the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
export function stopGroup(c: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => killGroup(c, 'SIGKILL'), graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    killGroup(c, 'SIGTERM');
  });
}

let seq = 0;

/** Run a generator to completion under GNU time; killed (as a group) after `timeoutMs`. */
export async function measure(cmd: string, args: string[], timeoutMs: number, opts: { tree?: Classify; cpu?: boolean } = {}): Promise<Measured> {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} not found: install it with \`apt-get install -y time\``);
  const out = path.join(tmpdir(), `mw-bench-time-${process.pid}-${seq++}.txt`);
  const t0 = performance.now();
  const c = startGroup(GNU_TIME, ['-f', '%U %S %M', '-o', out, cmd, ...args]);
  const watch = opts.tree && c.pid !== undefined ? watchTreeRss(c.pid, opts.tree) : undefined;
  const cpuWatch = opts.cpu && c.pid !== undefined ? watchChildCpu(c.pid) : undefined;
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  c.stdout!.on('data', (d: Buffer) => stdout.push(d));
  c.stderr!.on('data', (d: Buffer) => stderr.push(d));
  const timer = setTimeout(() => killGroup(c, 'SIGKILL'), timeoutMs);
  const exitCode = await new Promise<number>((resolve) => c.once('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  const tree = watch?.stop();
  const cpuSamples = cpuWatch?.stop();
  const wallMs = performance.now() - t0;
  // GNU time writes "Command exited with non-zero status N" first when the command fails: the figures are last.
  const lines = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [];
  rmSync(out, { force: true });
  const [u, s, m] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
  if (![u, s, m].every(Number.isFinite)) {
    throw new Error(`${cmd} ${args.join(' ')}: no CPU figures (exit ${exitCode})\n${Buffer.concat(stderr).toString().slice(-2000)}`);
  }
  return {
    exitCode,
    stdout: Buffer.concat(stdout).toString(),
    stderr: Buffer.concat(stderr).toString(),
    wallMs,
    cpuMs: (u + s) * 1000,
    userMs: u * 1000,
    sysMs: s * 1000,
    maxRssKb: m,
    ...(tree ? { tree } : {}),
    ...(cpuSamples ? { cpuSamples } : {}),
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The 1-minute load average (from /proc/loadavg), or NaN off Linux. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/**
 * Run a bench script's `main` as the process: its resolved number is the exit code; a rejection prints
 * `<name> failed: message` and exits 1; SIGINT/SIGTERM exit 130. Every child it started is killed on the way out.
 */
export function runAsMain(name: string, main: () => Promise<number>): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopAll();
      process.exit(130);
    });
  }
  process.on('exit', stopAll);
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      stopAll();
      console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
