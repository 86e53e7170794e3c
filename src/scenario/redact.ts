// The one home of redaction: every URL, scenario copy, summary and message that leaves the process (reports,
// terminal, store, spool, `validate`, errors) passes through here, so there is one policy to read and to test:
// - URLs lose their userinfo (user and password: a user name is often a token) and the value of every query or
//   fragment parameter whose name looks secret (`isSecretName`) becomes REDACTED. The rest of the URL is kept byte
//   for byte (no re-serialization), so what is shown is what was requested.
// - Header values, `accessKey` and `authorization` values are secrets whatever their name.
// - In the scenario as written, any scalar under a secret-looking key is a secret too.
export const REDACTED = 'REDACTED';

/** `api_key`, `apikey`, `accessKey`, `access_token`, `X-Amz-Signature`, `password`, `sig`, `token`, … */
const SECRET_SUFFIX = new RegExp(
  `(?:^|[_.-])(?:${[
    'key',
    'token',
    'secret',
    'password',
    'passwd',
    'pwd',
    'pass',
    'sig',
    'signature',
    'auth',
    'authorization',
    'credential',
    'cookie',
    'apikey',
    'accesskey',
    'secretkey',
    'privatekey',
    'accesstoken',
    'authtoken',
    'sessiontoken',
    'refreshtoken',
    'clientsecret',
  ].join('|')})s?$`,
  'i',
);
/** camelCase: `accessKey`, `apiToken`, `clientSecret`. */
const SECRET_CAMEL = /[a-z0-9](?:Key|Token|Secret|Password|Passwd|Pwd|Sig|Signature|Auth|Credential)s?$/;

/** Whether a parameter or key name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_SUFFIX.test(name) || SECRET_CAMEL.test(name);
}

/** Keys whose values are secrets whatever they hold. */
const ALWAYS_SECRET = new Set(['accesskey', 'authorization']);
/** Keys whose names look secret but hold an enum, not a secret (scenario paths). */
const NOT_SECRET_PATHS = new Set(['feedback.key']);

// One slash too: a malformed `https:/host?api_key=…` quoted in an error must not leak its secrets either.
const URL_START = /^[a-z][a-z0-9+.-]*:\/\/?/i;

/**
 * A URL with its userinfo removed and secret-looking parameter values replaced by REDACTED; other strings pass
 * unchanged. Works on the text, so a URL the WHATWG parser rejects (a bad port, a space) is redacted too.
 */
export function redactUrl(s: string): string {
  const start = URL_START.exec(s);
  if (!start) return s;
  const rest = s.slice(start[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return start[0] + host + redactParams(tail);
}

/** `path?a=1&api_key=x#access_token=y` → `path?a=1&api_key=REDACTED#access_token=REDACTED`. */
function redactParams(tail: string): string {
  return tail.replace(/([?&#;])([^=&#;]*)=([^&#;]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return isSecretName(decoded) ? `${sep}${name}=${REDACTED}` : whole;
  });
}

/** Free text (an error message, a description) with every URL in it redacted. */
export function redactText(s: string): string {
  return s.replace(/[a-z][a-z0-9+.-]*:\/\/?[^\s"'<>`]*/gi, (url) => redactUrl(url));
}

/**
 * The scenario as written, safe to embed in reports and the store: every target.headers value, accessKey and any
 * scalar under a secret-looking key (`isSecretName`) replaced by REDACTED; URLs in strings redacted.
 */
export function redactScenario(value: unknown): unknown {
  return walk(value, [], true);
}

/**
 * Any structure leaving the process (a Summary, run metadata): values of `headers` maps, `accessKey` and
 * `authorization` redacted, URLs in strings redacted. Key names are not otherwise judged: a summary's own keys are
 * not secrets. Idempotent.
 */
export function redactSecrets(value: unknown): unknown {
  return walk(value, [], false);
}

function walk(v: unknown, path: string[], byName: boolean): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)], byName));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  const inHeaders = path[path.length - 1] === 'headers';
  for (const [k, x] of Object.entries(v)) {
    const child = [...path, k];
    const scalar = x === null || typeof x !== 'object';
    const secret =
      (inHeaders && (scalar || Array.isArray(x))) ||
      (ALWAYS_SECRET.has(k.toLowerCase()) && scalar) ||
      (byName && scalar && isSecretName(k) && !NOT_SECRET_PATHS.has(child.join('.')));
    // defineProperty: a `__proto__` key stays a key of the copy instead of replacing its prototype.
    Object.defineProperty(out, k, { value: secret ? REDACTED : walk(x, child, byName), enumerable: true, writable: true, configurable: true });
  }
  return out;
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
