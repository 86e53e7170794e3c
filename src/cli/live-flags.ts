// The live-output flags shared by `run` and `compare` (--live-json, --prometheus, --dashboard…) → LiveOptions.
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { parseDurationMs } from '../util/duration.js';
// listen.js, not live/index.js: every command registers these flags, and only a run that asks for a live output
// should load the live outputs (prom-client, the dashboard page).
import { parseHostPort, parsePort } from '../live/listen.js';
import type { LiveOptions } from '../live/index.js';

export interface LiveFlags {
  liveJson?: string;
  prometheus?: string;
  prometheusLinger?: string;
  dashboard?: boolean;
  dashboardPort?: string;
  dashboardHost?: string;
  dashboardLinger?: string;
}

/** The flags' defaults: one home for the help text (commander) and for options built without it. */
const DEFAULTS = { prometheusLinger: '15s', dashboardPort: '5665', dashboardHost: '127.0.0.1', dashboardLinger: '30s' } as const;

/** What each command's help says its live outputs follow (a comparison's events follow the baseline). */
const HELP = {
  run: {
    liveJson: 'write one JSON line per second (docs/live.md) to FILE, or to stdout with - (the summary table then goes to stderr)',
    prometheus: 'serve /metrics in the Prometheus text format during the run (HOST defaults to 127.0.0.1)',
    prometheusLinger: '/metrics stays up this long after the run, for a last scrape',
    dashboard: 'serve a live dashboard during the run (link printed at start)',
  },
  compare: {
    liveJson: 'live comparison: one JSON line per second of the baseline (docs/live.md) to FILE, or stdout with - (the verdict text then goes to stderr)',
    prometheus: 'live comparison: serve /metrics (both targets) during the run',
    prometheusLinger: '/metrics stays up this long after the run',
    dashboard: 'live comparison: serve a live dashboard of the baseline (link printed at start)',
  },
} as const;

/** The live-output options of `run` or `compare`. */
export function addLiveOptions(cmd: Command, command: keyof typeof HELP): Command {
  const h = HELP[command];
  return cmd
    .option('--live-json <file>', h.liveJson)
    .option('--prometheus <host:port>', h.prometheus)
    .option('--prometheus-linger <d>', h.prometheusLinger, DEFAULTS.prometheusLinger)
    .option('--dashboard', h.dashboard)
    .option('--dashboard-port <n>', 'dashboard port (0 picks a free one)', DEFAULTS.dashboardPort)
    .option('--dashboard-host <host>', 'dashboard address; anything but 127.0.0.1 exposes the run to the network', DEFAULTS.dashboardHost)
    .option('--dashboard-linger <d>', 'the dashboard stays up this long after the run', DEFAULTS.dashboardLinger);
}

const linger = (flag: string, v: string): number => {
  try {
    return parseDurationMs(v);
  } catch {
    throw usageError(`${flag} must be a duration like 0s, 30s or 2m (got ${JSON.stringify(v)})`);
  }
};

/**
 * LiveOptions from the flags, or undefined when none is asked for. Bad values throw usage errors naming the flag;
 * `json` (the command prints its JSON to stdout) clashes with `--live-json -`.
 */
export function liveOptions(f: LiveFlags, json = false): LiveOptions | undefined {
  const o: LiveOptions = {};
  if (f.liveJson !== undefined) {
    if (f.liveJson.trim() === '') throw usageError('--live-json needs a file path, or - for stdout');
    o.liveJson = f.liveJson;
  }
  if (f.prometheus !== undefined) o.prometheus = { ...parseHostPort('--prometheus', f.prometheus), lingerMs: linger('--prometheus-linger', f.prometheusLinger ?? DEFAULTS.prometheusLinger) };
  if (f.dashboard) {
    const host = (f.dashboardHost ?? DEFAULTS.dashboardHost).trim();
    if (host === '' || /[\s/]/.test(host)) throw usageError(`--dashboard-host must be an address such as 127.0.0.1 (got ${JSON.stringify(f.dashboardHost)})`);
    o.dashboard = { host, port: parsePort('--dashboard-port', f.dashboardPort ?? DEFAULTS.dashboardPort), lingerMs: linger('--dashboard-linger', f.dashboardLinger ?? DEFAULTS.dashboardLinger) };
  }
  if (f.liveJson === '-' && json) throw usageError('--live-json - and --json both write to stdout: send the live lines to a file (--live-json FILE)');
  return o.liveJson || o.prometheus || o.dashboard ? o : undefined;
}
