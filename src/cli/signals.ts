// Ctrl-C / SIGTERM: the first one stops the wave gracefully (a report is still written, exit 130); a second one
// exits at once.
export function interruptSignal(): AbortSignal {
  const ctl = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nmodelwave: ${sig} — stopping: no new requests, waiting for those in flight, writing the report (again to quit now)\n`);
      ctl.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}
