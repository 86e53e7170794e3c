// Ctrl-C / SIGTERM: the first one stops the wave gracefully (a report is still written, exit 130); a second one
// exits at once. A CI job's timeout sends one SIGTERM and waits: the first signal alone must end the run, so it
// also arms a last-resort deadline past every bounded wait of the stop (in-flight requests, workers, store drain,
// reports) — if the process is still alive then, something is stuck, and it exits rather than hang.
import { STOP_GRACE_MS } from '../engine/lifecycle.js';

export interface InterruptOptions {
  /** The scenario's request timeout: how long requests in flight may still take after the stop. */
  inFlightTimeoutMs?: number;
  /** Beyond the in-flight timeout: the store drain and the report writing (default 90 s). */
  drainMs?: number;
}

/** Store drain (60 s) and report writing, after the workers have stopped. */
const DEFAULT_DRAIN_MS = 90_000;

export function interruptSignal(o: InterruptOptions = {}): AbortSignal {
  const ctl = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      const inFlight = o.inFlightTimeoutMs !== undefined ? ` up to ${seconds(o.inFlightTimeoutMs)}` : '';
      process.stderr.write(
        `\nmodelwave: ${sig} — stopping: no new requests, waiting${inFlight} for those in flight, writing the report (again to quit now)\n`,
      );
      ctl.abort();
      const hardMs = (o.inFlightTimeoutMs ?? 0) + STOP_GRACE_MS + (o.drainMs ?? DEFAULT_DRAIN_MS);
      setTimeout(() => {
        process.stderr.write(`modelwave: still stopping ${seconds(hardMs)} after ${sig}; exiting without waiting further\n`);
        process.exit(130);
      }, hardMs).unref();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)}s`;
