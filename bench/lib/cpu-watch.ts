// CPU of one process over time, sampled from /proc/PID/stat (Linux): utime + stime of every thread, with the wall
// clock of each sample, so the CPU spent between two wall-clock instants (a run's t = 0 and its end, from report.json)
// can be read off. GNU time gives the whole life only; this gives the load alone, start-up and teardown left out.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSample {
  atMs: number;
  cpuMs: number;
}

let ticksPerSecond = 0;
function clockTicks(): number {
  if (!ticksPerSecond) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime (ms) of a process, all its threads; undefined once it is gone. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: after the last ')', field 3 (state) is index 0, utime (14) index 11, stime (15) 12.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** The first child of `ppid` found in /proc, if any. */
function childOf(ppid: number): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) return Number(d);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/**
 * Samples the CPU of the child of `parentPid` (the command GNU time runs) every `everyMs` until `stop()`. The child
 * is looked for at each tick until found.
 */
export function watchChildCpu(parentPid: number, everyMs = 20): { stop(): CpuSample[] } {
  const samples: CpuSample[] = [];
  let pid: number | undefined;
  const tick = () => {
    pid ??= childOf(parentPid);
    if (pid === undefined) return;
    const cpuMs = cpuMsOf(pid);
    if (cpuMs !== undefined) samples.push({ atMs: Date.now(), cpuMs });
  };
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** CPU (ms) between two wall-clock instants, interpolated linearly between the samples around each. */
export function cpuBetween(samples: CpuSample[], fromMs: number, toMs: number): number {
  return cpuAt(samples, toMs) - cpuAt(samples, fromMs);
}

function cpuAt(s: CpuSample[], atMs: number): number {
  if (s.length === 0) return NaN;
  if (atMs <= s[0].atMs) return s[0].cpuMs;
  for (let i = 1; i < s.length; i++) {
    if (s[i].atMs >= atMs) {
      const a = s[i - 1];
      const b = s[i];
      return b.atMs === a.atMs ? b.cpuMs : a.cpuMs + ((b.cpuMs - a.cpuMs) * (atMs - a.atMs)) / (b.atMs - a.atMs);
    }
  }
  return s[s.length - 1].cpuMs;
}
