// Text summaries of V8 CPU profiles (`node --cpu-prof`: one .cpuprofile per thread) for bench/profile.ts: per
// thread, where the busy time goes — top functions and source areas by self time, as % of the thread's busy time and
// as µs per request of the run. Pure functions of the parsed profiles, except that frames are placed through the
// source maps beside the profiled files (read once each).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, table } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The JSON V8 writes for `--cpu-prof` (Chrome DevTools' Profile). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export type ThreadRole = 'main' | 'worker' | 'other';

/** Self time (µs) per function and per source area, over some of a thread's samples. */
export interface Slice {
  wallUs: number;
  idleUs: number;
  busyUs: number;
  functions: { name: string; where: string; selfUs: number }[];
  areas: { area: string; selfUs: number }[];
}

/** One thread: the samples during the load, and those outside it (start-up before t = 0, teardown after). */
export interface ThreadSummary {
  file: string;
  role: ThreadRole;
  /** Node's thread id from the file name (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile); 0 is the main thread. */
  tid: number;
  load: Slice;
  outside: Slice;
}

/** V8's pseudo-frames: time outside JavaScript functions. */
const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The thread id in a --cpu-prof file name, or NaN. */
export function threadIdOf(file: string): number {
  const m = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(path.basename(file));
  return m ? Number(m[1]) : NaN;
}

/** A file URL under the repository as a repository path; node_modules as the package; node internals as they are. */
export function whereOf(url: string, root: string): string {
  if (url === '') return '';
  let p = url;
  if (p.startsWith('file://')) p = decodeURIComponent(p.slice('file://'.length));
  // node_modules may be a symlink (worktrees): its resolved path says nothing more than the package.
  const nm = p.indexOf('/node_modules/');
  if (nm >= 0) return p.slice(nm + 1);
  if (p.startsWith(root)) p = p.slice(root.length).replace(/^\/+/, '');
  return p;
}

const maps = new Map<string, SourceMap | undefined>();

/**
 * Where a frame's function was written: through the source map beside its file (`<file>.map`: tsc's for a module,
 * esbuild's for the bundled CLI, worker and their chunks, whose code comes from many sources), else where it ran.
 * Bundled or not, a frame reads as src/<folder>/<file>.ts:<line> or node_modules/<package>/….
 */
export function sourceOf(frame: CallFrame): { url: string; lineNumber: number } {
  const { url, lineNumber, columnNumber } = frame;
  if (!url.startsWith('file://') || url.includes('/node_modules/')) return { url, lineNumber };
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = undefined; // no map (a bench script run from its .ts? a deleted build): the file as it ran
    }
    maps.set(url, map);
  }
  const entry = maps.get(url)?.findEntry(lineNumber, columnNumber);
  if (!entry || !('originalSource' in entry)) return { url, lineNumber };
  return { url: new URL(entry.originalSource, url).href, lineNumber: entry.originalLine };
}

/** The area a frame belongs to: a src/ or bench/ folder, an npm package, a node: module group, or V8 itself. */
export function areaOf(name: string, where: string): string {
  if (PSEUDO.has(name)) return name;
  if (where === '') return '(V8 builtins / native)';
  const nm = where.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = where.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (where.startsWith('node:')) return `node:${where.slice(5).split('/').slice(0, 2).join('/')}`;
  const parts = where.replace(/^dist\//, '').split('/');
  // src/engine/worker/worker.js → src/engine/worker; src/errors.js → src
  return parts.length > 2 ? parts.slice(0, parts.length - 1).slice(0, 3).join('/') : parts[0];
}

/**
 * Self time per frame, split by `window` ([start, end] in the profile's clock: µs of CLOCK_MONOTONIC, the clock of
 * process.hrtime): sample i covers the interval up to the next sample (as DevTools counts it); the last sample gets
 * the profile's end.
 */
export function summarize(file: string, p: CpuProfile, root: string, window: [number, number] = [-Infinity, Infinity]): ThreadSummary {
  const inside = new Map<number, number>();
  const outside = new Map<number, number>();
  let t = p.startTime;
  const times: number[] = [];
  for (const d of p.timeDeltas) times.push((t += d));
  for (let i = 0; i < p.samples.length; i++) {
    const next = i + 1 < times.length ? times[i + 1] : p.endTime;
    const dt = Math.max(0, next - times[i]);
    const m = times[i] >= window[0] && times[i] <= window[1] ? inside : outside;
    m.set(p.samples[i], (m.get(p.samples[i]) ?? 0) + dt);
  }
  const where = new Map(
    p.nodes.map((n) => {
      const src = sourceOf(n.callFrame);
      return [n.id, { where: whereOf(src.url, root), line: src.lineNumber + 1 }];
    }),
  );
  const isWorker = [...where.values()].some((w) => /src\/engine\/worker\//.test(w.where));
  const tid = threadIdOf(file);
  return {
    file: path.basename(file),
    role: tid === 0 ? 'main' : isWorker ? 'worker' : 'other',
    tid,
    load: slice(p.nodes, where, inside),
    outside: slice(p.nodes, where, outside),
  };
}

function slice(nodes: ProfileNode[], whereById: Map<number, { where: string; line: number }>, selfById: Map<number, number>): Slice {
  const fns = new Map<string, { name: string; where: string; selfUs: number }>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let wallUs = 0;
  for (const n of nodes) {
    const self = selfById.get(n.id) ?? 0;
    if (self === 0) continue;
    wallUs += self;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += self;
      continue;
    }
    const { where, line } = whereById.get(n.id) ?? { where: '', line: 0 };
    const loc = where === '' ? '' : `${where}:${line}`;
    const key = `${name} ${loc}`;
    const f = fns.get(key) ?? { name, where: loc, selfUs: 0 };
    f.selfUs += self;
    fns.set(key, f);
    const a = areaOf(name, where);
    areas.set(a, (areas.get(a) ?? 0) + self);
  }
  return {
    wallUs,
    idleUs,
    busyUs: wallUs - idleUs,
    functions: [...fns.values()].sort((a, b) => b.selfUs - a.selfUs),
    areas: [...areas.entries()].map(([area, selfUs]) => ({ area, selfUs })).sort((a, b) => b.selfUs - a.selfUs),
  };
}

/**
 * One thread's section: during the load, the top functions and areas with % of busy time and µs per request; outside
 * it (start-up, teardown), the top areas with ms.
 */
export function threadText(s: ThreadSummary, requests: number, top: number): string {
  const { load, outside } = s;
  const pct = (us: number, of: number) => `${fmt((100 * us) / of, 1)}%`;
  const perReq = (us: number) => fmt(us / requests, 2);
  const ms = (us: number) => fmt(us / 1000, 1);
  const head =
    `#### ${s.role} thread (tid ${s.tid}, ${s.file})\n\n` +
    `During the load: sampled ${ms(load.wallUs)} ms, busy ${ms(load.busyUs)} ms (${perReq(load.busyUs)} µs per request), idle ${ms(load.idleUs)} ms. ` +
    `Outside it (start-up, teardown): busy ${ms(outside.busyUs)} ms.`;
  const fnTable = table(
    ['self ms', '% of busy', 'µs/req', 'function', 'where'],
    load.functions.slice(0, top).map((f) => [ms(f.selfUs), pct(f.selfUs, load.busyUs), perReq(f.selfUs), f.name, f.where || '–']),
  );
  const areaTable = table(
    ['self ms', '% of busy', 'µs/req', 'area'],
    load.areas.slice(0, Math.ceil(top / 2)).map((a) => [ms(a.selfUs), pct(a.selfUs, load.busyUs), perReq(a.selfUs), a.area]),
  );
  const outsideTable = table(
    ['self ms', '% of busy', 'area'],
    outside.areas.slice(0, 10).map((a) => [ms(a.selfUs), pct(a.selfUs, outside.busyUs), a.area]),
  );
  return [
    head,
    '',
    `During the load, top ${top} functions by self time:`,
    '',
    fnTable,
    '',
    'During the load, by area (src/ folder, npm package, node: module, V8):',
    '',
    areaTable,
    '',
    'Outside the load (start-up, teardown), by area:',
    '',
    outsideTable,
  ].join('\n');
}

/**
 * Several runs' threads as one: the i-th thread of each role in every run are summed (self times per function and
 * area, busy and idle), so a summary of N runs reads like one run N times as long.
 */
export function mergeRuns(runs: ThreadSummary[][]): ThreadSummary[] {
  if (runs.length === 1) return runs[0];
  const groups = new Map<string, ThreadSummary[]>();
  for (const threads of runs) {
    const seen: Record<string, number> = {};
    for (const t of [...threads].sort(byRole)) {
      const key = `${t.role}#${(seen[t.role] = (seen[t.role] ?? -1) + 1)}`;
      const g = groups.get(key);
      if (g) g.push(t);
      else groups.set(key, [t]);
    }
  }
  return [...groups.values()]
    .map((g) => ({ ...g[0], file: `${g.length} runs: ${g.map((t) => t.file).join(', ')}`, load: mergeSlices(g.map((t) => t.load)), outside: mergeSlices(g.map((t) => t.outside)) }))
    .sort(byRole);
}

function mergeSlices(xs: Slice[]): Slice {
  const fns = new Map<string, { name: string; where: string; selfUs: number }>();
  const areas = new Map<string, number>();
  for (const x of xs) {
    for (const f of x.functions) {
      const key = `${f.name} ${f.where}`;
      const m = fns.get(key) ?? { ...f, selfUs: 0 };
      m.selfUs += f.selfUs;
      fns.set(key, m);
    }
    for (const a of x.areas) areas.set(a.area, (areas.get(a.area) ?? 0) + a.selfUs);
  }
  const total = (f: (s: Slice) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    wallUs: total((x) => x.wallUs),
    idleUs: total((x) => x.idleUs),
    busyUs: total((x) => x.busyUs),
    functions: [...fns.values()].sort((a, b) => b.selfUs - a.selfUs),
    areas: [...areas.entries()].map(([area, selfUs]) => ({ area, selfUs })).sort((a, b) => b.selfUs - a.selfUs),
  };
}

/** Order of the sections: main, then workers, then other threads, each by thread id. */
export function byRole(a: ThreadSummary, b: ThreadSummary): number {
  const rank = { main: 0, worker: 1, other: 2 } as const;
  return rank[a.role] - rank[b.role] || a.tid - b.tid;
}
