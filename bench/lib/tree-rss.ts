// Peak resident memory of a process *tree*, by role, sampled from /proc (Linux). GNU time's peak RSS is that of the
// one process it waited for: a run's store process (PGlite's WebAssembly heap, a child of the CLI process) and the
// built-in reference server are other processes, invisible to it. Here every descendant of a root process is found
// at each sample (by the parent pid in /proc/PID/stat), given a role from its command line, and its VmRSS read; the
// result is each role's peak and the peak of the roles' sum at one instant (not the sum of peaks, which may never
// coexist). Sampling misses spikes shorter than the interval; the OS peak of the CLI process (GNU time) bounds `main`.
import { readdirSync, readFileSync } from 'node:fs';

/** A role for a process from its command line (argv joined by spaces), or null to leave it out. */
export type Classify = (cmdline: string) => string | null;

export interface TreeRss {
  /** Role → peak VmRSS in kB over the samples. */
  peakKb: Record<string, number>;
  /** Peak over the samples of the summed VmRSS of the processes whose role is in `sumRoles` (kB). */
  peakSumKb: number;
  samples: number;
}

/** modelwave's roles: the store process, the built-in reference server (the target, not the generator), the CLI. */
export const modelwaveRoles: Classify = (cmd) => {
  if (!/\bnode\b/.test(cmd.split(' ')[0] ?? '')) return null; // GNU time, shells
  if (cmd.includes('store-process.js')) return 'store';
  if (cmd.split(' ').includes('serve')) return 'target'; // `modelwave serve`, as builtin: targets start it
  return 'main';
};

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid);
      if (list) list.push(Number(d));
      else kids.set(ppid, [Number(d)]);
    } catch {
      // exited meanwhile
    }
  }
  return kids;
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/**
 * Sample the tree under `rootPid` (root included) every `everyMs` until `stop()`, which returns the peaks. The sum is
 * over `sumRoles` (default: modelwave's own processes, `main` and `store`; a built-in target is not the generator).
 */
export function watchTreeRss(rootPid: number, classify: Classify, everyMs = 100, sumRoles: readonly string[] = ['main', 'store']): { stop(): TreeRss } {
  const out: TreeRss = { peakKb: {}, peakSumKb: 0, samples: 0 };
  const sample = () => {
    const kids = children();
    const todo = [rootPid];
    let sum = 0;
    const byRole: Record<string, number> = {};
    while (todo.length) {
      const pid = todo.pop()!;
      todo.push(...(kids.get(pid) ?? []));
      // Classified at every sample, never cached: between fork and exec a process has its parent's command line.
      const role = classify(cmdline(pid));
      if (!role) continue;
      const kb = rssKb(pid);
      byRole[role] = (byRole[role] ?? 0) + kb;
      if (sumRoles.includes(role)) sum += kb;
    }
    for (const [role, kb] of Object.entries(byRole)) out.peakKb[role] = Math.max(out.peakKb[role] ?? 0, kb);
    out.peakSumKb = Math.max(out.peakSumKb, sum);
    out.samples++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return out;
    },
  };
}
