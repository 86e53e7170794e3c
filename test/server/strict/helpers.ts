// Helpers for the strict-server tests: start a server in-process, call it with exact headers and body, read the
// upstream conformance cases (test/fixtures/conformance, copied from the project's shared conformance set), and
// compare the shape of an answer with the real server's answer.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type StartedStrictServer, type StrictName, startStrictServer } from '../../../src/server/strict/registry.js';

export interface ConformanceCase {
  id: string;
  what: string;
  source: string;
  protocol?: string;
  fieldNames: string[];
  classes: (string | number)[] | null;
  rows: Record<string, unknown>[];
  target?: Record<string, unknown>;
  request?: { acceptor: string; params: Record<string, unknown>; upstream: unknown; fix?: string };
  response?: unknown;
  expect?: Record<string, unknown>;
}

export function conformance(file: string): ConformanceCase[] {
  const path = fileURLToPath(new URL(`../../../../test/fixtures/conformance/${file}`, import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: ConformanceCase[] }).cases;
}

export async function withStrict<T>(name: StrictName, config: unknown, fn: (s: StartedStrictServer) => Promise<T>): Promise<T> {
  const server = await startStrictServer(name, { config });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

export interface Reply {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** POST `body` (an object is JSON-encoded; a string is sent as is) with content-type application/json unless overridden. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return read(res);
}

export async function get(url: string): Promise<Reply> {
  return read(await fetch(url));
}

async function read(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** The error text of a failed answer, whatever envelope the server uses ({"error": s}, {"message": s}, …). */
export function errorText(r: Reply): string {
  const j = r.json as Record<string, unknown> | undefined;
  if (j && typeof j === 'object') {
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error === 'object' && typeof (j.error as Record<string, unknown>).message === 'string') return (j.error as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
  }
  return r.text;
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `mine` differs in shape from `theirs`: the same keys, arrays where they have arrays (element shapes compared
 * on the first element), the same scalar kinds. null stands for an optional field: it matches any scalar, and an
 * extra key holding null is accepted.
 * `allowed` lists dotted paths where one side legitimately has a key the other lacks (with the reason at the call).
 */
export function shapeDiff(mine: unknown, theirs: unknown, allowed: readonly string[] = [], path = ''): string[] {
  const km = kind(mine);
  const kt = kind(theirs);
  if (km === 'null' || kt === 'null') return km === 'object' || km === 'array' || kt === 'object' || kt === 'array' ? (km === kt ? [] : [`${path || '.'}: ${km} vs ${kt}`]) : [];
  if (km !== kt) return [`${path || '.'}: ${km} vs ${kt}`];
  if (km === 'array') {
    const a = mine as unknown[];
    const b = theirs as unknown[];
    if (a.length === 0 || b.length === 0) return [];
    return shapeDiff(a[0], b[0], allowed, `${path}[0]`);
  }
  if (km === 'object') {
    const a = mine as Record<string, unknown>;
    const b = theirs as Record<string, unknown>;
    const out: string[] = [];
    for (const k of Object.keys(b)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) {
        if (!allowed.includes(p)) out.push(`${p}: missing`);
      } else out.push(...shapeDiff(a[k], b[k], allowed, p));
    }
    // An extra key holding null is an optional field the example's server version left out.
    for (const k of Object.keys(a)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b) && a[k] !== null && !allowed.includes(p)) out.push(`${p}: not in the real answer`);
    }
    return out;
  }
  return [];
}

/** A strict-server model config for a conformance case: its fields as features, its classes, a zero-weight rule. */
export function caseModel(c: ConformanceCase, output: 'class' | 'probability' | 'probabilities' = 'class'): Record<string, unknown> {
  const classes = c.classes ?? [0, 1];
  const numeric = c.fieldNames.filter((f) => c.rows.every((r) => typeof r[f] === 'number'));
  if (classes.length === 2) {
    return { name: 'm', features: c.fieldNames, classes, logistic: { bias: 0.1, weights: Object.fromEntries(numeric.map((f) => [f, 0.01])) }, output };
  }
  return {
    name: 'm',
    features: c.fieldNames,
    softmax: classes.map((cl, i) => ({ class: cl, bias: i, weights: Object.fromEntries(numeric.map((f) => [f, 0.01 * i])) })),
    output,
  };
}

/** Fields of the case whose values are strings (categorical columns of a pipeline). */
export const stringFields = (c: ConformanceCase): string[] => c.fieldNames.filter((f) => c.rows.some((r) => typeof r[f] === 'string'));
