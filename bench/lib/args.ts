// The bench scripts' command-line flags: `--name value` pairs read from argv (the scripts take few flags; no parser).

/** The value after `--name`, or undefined when the flag is absent. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** `--name` as a positive number; `dflt` when absent. Throws `--name must be a positive number (got …)` otherwise. */
export function positiveFlag(argv: readonly string[], name: string, dflt: number): number {
  const v = flagValue(argv, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number (got ${v})`);
  return n;
}
