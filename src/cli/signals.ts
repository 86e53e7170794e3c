// Ctrl-C / SIGTERM. One is enough to end a run with a report: the first stops the wave (no new requests, those in
// flight finish within the target timeout), the store gets a bounded drain, the report is written, exit 130. A second
// one stops waiting for the store (what it has not taken goes to the spool) and the report is still written. A third
// exits at once, for a process stuck beyond all that.
// A CI job's timeout sends one SIGTERM and waits: the first signal alone must end the run, so it also arms a
// last-resort deadline past every bounded wait of the stop (in-flight requests, workers, store drain, reports) — if
// the process is still alive then, something is stuck, and it exits rather than hang.
import { STOP_GRACE_MS } from '../engine/main/lifecycle.js';

interface InterruptOptions {
  /** The scenario's request timeout: how long requests in flight may still take after the stop. */
  inFlightTimeoutMs?: number;
  /** Beyond the in-flight timeout: the store drain and the report writing (default 90 s). */
  drainMs?: number;
}

interface Interrupts {
  /** Aborted by the first signal: stop the wave. */
  stop: AbortSignal;
  /** Aborted by the second signal: stop waiting for the store. */
  hurry: AbortSignal;
}

/** Store drain and report writing, after the workers have stopped. */
const DEFAULT_DRAIN_MS = 90_000;

export function interrupts(o: InterruptOptions = {}): Interrupts {
  const stop = new AbortController();
  const hurry = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      const inFlight = o.inFlightTimeoutMs !== undefined ? ` up to ${seconds(o.inFlightTimeoutMs)}` : '';
      process.stderr.write(
        `\nmodelwave: ${sig} — stopping: no new requests, waiting${inFlight} for those in flight, then the report (again: stop waiting for the metrics store; a third time: quit at once, no report)\n`,
      );
      stop.abort();
      const hardMs = (o.inFlightTimeoutMs ?? 0) + STOP_GRACE_MS + (o.drainMs ?? DEFAULT_DRAIN_MS);
      setTimeout(() => {
        process.stderr.write(`modelwave: still stopping ${seconds(hardMs)} after ${sig}; exiting without waiting further\n`);
        process.exit(130);
      }, hardMs).unref();
    } else if (count === 2) {
      process.stderr.write(`\nmodelwave: ${sig} — not waiting any longer: what the store has not taken goes to the spool; writing the report (again: quit at once, no report)\n`);
      hurry.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { stop: stop.signal, hurry: hurry.signal };
}

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)}s`;
