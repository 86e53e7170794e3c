// The scenario as written, safe to embed in reports and the store: no secret values, no URL credentials.
export const REDACTED = '[redacted]';

const SECRET_KEY = /token|secret|password|passwd|key|auth|credential|cookie/i;
/** Keys whose names look secret but hold an enum, not a secret. */
const NOT_SECRET_PATHS = new Set(['feedback.key']);

/**
 * Deep copy of `value` with: every target.headers and feedback.headers value, target.accessKey and any scalar under a key matching
 * /token|secret|password|key|auth/i replaced by "[redacted]"; user:password@ removed from URLs, and URL query
 * parameters with secret-looking names redacted.
 */
export function redactScenario(value: unknown): unknown {
  return walk(value, []);
}

function walk(v: unknown, path: string[]): unknown {
  const dotted = path.join('.');
  if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const child = [...path, k];
      const isHeader = dotted === 'target.headers' || dotted === 'feedback.headers';
      const secret = isHeader || (SECRET_KEY.test(k) && !NOT_SECRET_PATHS.has(child.join('.')) && (x === null || typeof x !== 'object'));
      out[k] = secret ? REDACTED : walk(x, child);
    }
    return out;
  }
  return typeof v === 'string' ? redactUrl(v) : v;
}

/** Remove userinfo and redact secret-looking query parameters; other strings pass unchanged. */
export function redactUrl(s: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return s;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_KEY.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // URLSearchParams percent-encodes the brackets; keep the marker readable.
  return changed ? url.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED) : s;
}

/** `text` with every occurrence of a secret value (header values, access keys) replaced by "[redacted]". */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.replaceAll(s, REDACTED);
  return out;
}

/** The secret values a scenario's target carries (header values, the access key), for scrubSecrets. */
export function targetSecrets(t: { headers: Record<string, string>; accessKey?: string }): string[] {
  const values = Object.values(t.headers).flatMap((v) => [v, ...v.split(/\s+/).filter((w) => w.length >= 8)]);
  return t.accessKey !== undefined ? [...values, t.accessKey] : values;
}
