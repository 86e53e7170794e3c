// The live outputs of one run — `--live-json`, `--prometheus`, `--dashboard` — behind one object: a RunSink for the
// engine (the event builder), `finish` for the final event and the linger, `close` for a run that did not finish.
// Everything is opened before the wave so a port in use or an unwritable file is an exit 2 before any request.
import type { TargetAccumulator } from '../engine/main/accumulate.js';
import type { Scenario } from '../spec/types.js';
import type { Summary } from '../summary/types.js';
import { LiveEventBuilder, type LiveEvent, type LiveVerdict, type LiveWindowAccuracy } from './event.js';
import { openJsonLines, type JsonLinesWriter } from './jsonl.js';
import { listenLocal, type LocalServer } from './listen.js';
import type { Dashboard } from './dashboard.js';

export { LiveEventBuilder, LIVE_SCHEMA, type LiveEvent } from './event.js';

/** The live outputs asked for, opened (their modules load only then: prom-client and uPlot stay off plain runs). */
export async function startLive(s: Scenario, runId: string, o: LiveOptions | undefined, errOut: NodeJS.WritableStream): Promise<LiveOutputs | undefined> {
  if (!o || !(o.liveJson || o.prometheus || o.dashboard)) return undefined;
  return startLiveOutputs(s, runId, o, (line) => errOut.write(`${line}\n`));
}

export interface LiveOptions {
  /** `--live-json`: a file path, or `-` for stdout. */
  liveJson?: string;
  /** `--prometheus HOST:PORT`, with how long `/metrics` stays up after the run (for a last scrape). */
  prometheus?: { host: string; port: number; lingerMs: number };
  /** `--dashboard`: where, and how long the page stays up after the run. */
  dashboard?: { host: string; port: number; lingerMs: number };
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

interface LiveOutputs {
  sink: LiveEventBuilder;
  /**
   * Emit the final event (verdict included), then keep the servers up for the longest linger unless one of
   * `cutBy` fires, then close. Resolves when everything is closed.
   */
  finish(summary: Summary, exitCode: number, accumulators: readonly TargetAccumulator[], cutBy: (AbortSignal | undefined)[], verdict?: Pick<LiveVerdict, 'verdict' | 'headline'>): Promise<void>;
  /** Close without a final event (the run failed before it could summarise). */
  close(): Promise<void>;
}

async function startLiveOutputs(s: Scenario, runId: string, o: LiveOptions, say: (line: string) => void): Promise<LiveOutputs> {
  const builder = new LiveEventBuilder(s, runId);
  let jsonl: JsonLinesWriter | undefined;
  let metrics: LocalServer | undefined;
  let dashboard: Dashboard | undefined;
  let finished = false;
  let lastWindow: LiveWindowAccuracy | undefined;
  const closeAll = async () => {
    jsonl?.close();
    await Promise.all([metrics?.close(), dashboard?.close()]);
  };
  try {
    if (o.liveJson) jsonl = openJsonLines(o.liveJson, (m) => say(`warning: ${m}`));
    // Each output's module loads only when it is asked for: prom-client for --prometheus, the page for --dashboard.
    if (o.prometheus) {
      const { runRegistry } = await import('./prometheus.js');
      const reg = runRegistry(s, runId, {
        accumulators: () => builder.accumulators,
        last: () => builder.last,
        finished: () => finished,
        lastWindow: () => lastWindow,
      });
      const { host, port } = o.prometheus;
      metrics = await listenLocal(host, port, '--prometheus', (req, res) => {
        if ((req.url ?? '/').split('?')[0] !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are on /metrics\n');
          return;
        }
        reg.metrics().then(
          (text) => res.writeHead(200, { 'content-type': reg.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
        );
      });
      say(`prometheus: ${metrics.url}/metrics`);
      if (!isLoopback(host)) say(`warning: /metrics listens on ${host}: anyone who can reach this machine can read it`);
    }
    if (o.dashboard) {
      const [{ startDashboard }, { pageConfig }] = await Promise.all([import('./dashboard.js'), import('./page.js')]);
      dashboard = await startDashboard(o.dashboard.host, o.dashboard.port, pageConfig(s, runId));
      say(`dashboard: ${dashboard.url}`);
      if (!isLoopback(o.dashboard.host)) say(`warning: the dashboard listens on ${o.dashboard.host}: anyone who can reach this machine can watch the run`);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  builder.listen((e: LiveEvent) => {
    if (e.windows.length > 0) lastWindow = e.windows[e.windows.length - 1];
    jsonl?.write(e);
    dashboard?.publish(e);
  });

  return {
    sink: builder,
    async finish(summary, exitCode, accumulators, cutBy, verdict) {
      builder.finish(summary, exitCode, accumulators, verdict);
      finished = true;
      jsonl?.close();
      const lingerMs = Math.max(dashboard ? (o.dashboard?.lingerMs ?? 0) : 0, metrics ? (o.prometheus?.lingerMs ?? 0) : 0);
      const live = cutBy.filter((x): x is AbortSignal => x !== undefined && !x.aborted);
      if (lingerMs > 0 && (live.length > 0 || cutBy.length === 0)) {
        const where = [dashboard?.url, metrics ? `${metrics.url}/metrics` : undefined].filter(Boolean).join(' and ');
        say(`live: ${where} stay${dashboard && metrics ? '' : 's'} up ${Math.round(lingerMs / 1000)}s more (Ctrl-C to quit now)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, lingerMs);
          for (const sig of live) sig.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      await closeAll();
    },
    close: closeAll,
  };
}
