// Test helpers: a loopback HTTP client that reports resets instead of throwing, and telco-like rows.
import http from 'node:http';
import type { Row } from '../../src/data/types.js';

export type Reply = { status: number; body: string; ms: number } | { error: string; ms: number };

/** One request over `agent` (a keep-alive agent by default); never rejects. */
export function request(url: string, method: string, body: string | undefined, agent?: http.Agent): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: performance.now() - started }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: performance.now() - started }));
    req.end(body);
  });
}

export const post = (url: string, body: string, agent?: http.Agent) => request(url, 'POST', body, agent);

export async function getJson<T>(url: string): Promise<T> {
  const r = await request(url, 'GET', undefined);
  if ('error' in r) throw new Error(`GET ${url}: ${r.error}`);
  return JSON.parse(r.body) as T;
}

/** Run `fn(i)` for i in [0, n) with at most `concurrency` at once. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, lane));
  return out;
}

/** Rows shaped like the telco scenario's (iot_signal_1..4, manufacturer, device_id), from a small LCG. */
export function telcoRows(n: number, seed = 7): Row[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const makers = ['New World Corp', 'AI Inc.', 'Hot Data Ltd'];
  return Array.from({ length: n }, () => {
    const s1 = int(1, 10);
    return {
      iot_signal_1: s1,
      iot_signal_2: s1 + int(0, 2),
      iot_signal_3: int(50, 55),
      iot_signal_4: int(100, 107),
      manufacturer: makers[int(0, 2)],
      device_id: Math.floor(rand() * 2 ** 52).toString(16).padStart(13, '0'),
    };
  });
}

export const TELCO_FIELDS = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4', 'manufacturer', 'device_id'];

/**
 * Resolve once `ok()` holds; reject after `timeoutMs`. For state only the server's counters show (no event says
 * "the request has arrived"): a fixed sleep before the assertion raced a loaded machine, this waits as long as needed.
 */
export async function eventually(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
