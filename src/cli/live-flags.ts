// The live-output flags shared by `run` and `compare` (--live-json, --prometheus, --dashboard…) → LiveOptions.
import { usageError } from '../errors.js';
import { parseDurationMs } from '../util/duration.js';
import { parseHostPort, parsePort, type LiveOptions } from '../live/index.js';

export interface LiveFlags {
  liveJson?: string;
  prometheus?: string;
  prometheusLinger?: string;
  dashboard?: boolean;
  dashboardPort?: string;
  dashboardHost?: string;
  dashboardLinger?: string;
}

const linger = (flag: string, v: string): number => {
  try {
    return parseDurationMs(v);
  } catch {
    throw usageError(`${flag} must be a duration like 0s, 30s or 2m (got ${JSON.stringify(v)})`);
  }
};

/** LiveOptions from the flags, or undefined when none is asked for. Bad values throw usage errors naming the flag. */
export function liveOptions(f: LiveFlags): LiveOptions | undefined {
  const o: LiveOptions = {};
  if (f.liveJson !== undefined) {
    if (f.liveJson.trim() === '') throw usageError('--live-json needs a file path, or - for stdout');
    o.liveJson = f.liveJson;
  }
  if (f.prometheus !== undefined) o.prometheus = { ...parseHostPort('--prometheus', f.prometheus), lingerMs: linger('--prometheus-linger', f.prometheusLinger ?? '15s') };
  if (f.dashboard) {
    const host = (f.dashboardHost ?? '127.0.0.1').trim();
    if (host === '' || /[\s/]/.test(host)) throw usageError(`--dashboard-host must be an address such as 127.0.0.1 (got ${JSON.stringify(f.dashboardHost)})`);
    o.dashboard = { host, port: parsePort('--dashboard-port', f.dashboardPort ?? '5665'), lingerMs: linger('--dashboard-linger', f.dashboardLinger ?? '30s') };
  }
  return o.liveJson || o.prometheus || o.dashboard ? o : undefined;
}
