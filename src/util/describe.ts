// How error messages of every layer name a place and a value: `load.phases[1].rate`, "(got -5)".

export type PathSegment = string | number;
export type Path = PathSegment[];

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `load.phases[1].rate`, `target.headers["X-Api-Key"]`, `thresholds["latency.p99"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || 'the scenario';
}

/** Short rendering of a value for "(got …)". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const s = `[${v.map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : describeValue(x))).join(', ')}]`;
    return s.length <= 60 ? s : `a list of ${v.length}`;
  }
  if (typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length <= 60 ? s : `an object with keys ${Object.keys(v).join(', ')}`;
  }
  return String(v);
}

/**
 * A number as `toLocaleString('en-US')` writes it (1,000,000). Integers are grouped by hand: a process's first Intl
 * number format costs ~14 ms of CPU (ICU data), and messages and help texts built at load would make every command
 * pay it.
 */
export function groupThousands(n: number): string {
  return Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}
