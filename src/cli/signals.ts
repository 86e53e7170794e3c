// Ctrl-C / SIGTERM. One is enough to end a run with a report: the first stops the wave (no new requests, those in
// flight finish within the target timeout), the store gets a bounded drain, the report is written, exit 130. A second
// one stops waiting for the store (what it has not taken goes to the spool) and the report is still written. A third
// exits at once, for a process stuck beyond all that.
export interface Interrupts {
  /** Aborted by the first signal: stop the wave. */
  stop: AbortSignal;
  /** Aborted by the second signal: stop waiting for the store. */
  hurry: AbortSignal;
}

export function interrupts(): Interrupts {
  const stop = new AbortController();
  const hurry = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(
        `\nmodelwave: ${sig} — stopping: no new requests, waiting for those in flight, then the report (again: stop waiting for the metrics store; a third time: quit at once, no report)\n`,
      );
      stop.abort();
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
