// Scenario headers go on the wire byte for byte in every request, so they are checked like a server would:
// names are RFC 9110 tokens, values one line of visible ASCII (also after ${VAR} substitution: a token file
// saved with CRLF line ends would otherwise inject a header), and the headers that frame the message or manage
// the connection are modelwave's own. `Host` and `Content-Type` are allowed: they replace the defaults.
// Problems never print a header value (they are usually credentials).
import { isIPv6 } from 'node:net';
import type { Checker } from './check.js';
import { expandEnv } from './env.js';
import { formatPath, type Path } from './errors.js';

/** RFC 9110 §5.1: field-name = token; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const WHY_NOT: Record<string, string> = {
  'content-length':
    'is set by modelwave from each request body; remove it (a second Content-Length makes the message length ambiguous, which is how request smuggling starts)',
  'transfer-encoding': 'cannot be set: modelwave sends every body with a Content-Length; remove it',
  connection: 'cannot be set: modelwave manages its connections (persistent HTTP/1.1); remove it',
  'keep-alive': 'cannot be set: modelwave manages its connections (persistent HTTP/1.1); remove it',
  'proxy-connection': 'cannot be set: modelwave manages its connections (persistent HTTP/1.1); remove it',
  upgrade: 'cannot be set: modelwave speaks HTTP/1.1 and does not switch protocols; remove it',
  te: 'is a connection-level header (RFC 9110 §10.1.4) modelwave does not use; remove it',
  trailer: 'cannot be set: modelwave sends no trailers; remove it',
};

/** Host: uri-host [ ":" port ] (RFC 9110 §7.2), uri-host being a registered name, IPv4 or a bracketed IPv6 literal. */
export function isValidHostHeader(v: string): boolean {
  const m = /^(?:\[([^\]]*)\]|([A-Za-z0-9\-._~!$&'()*+,;=%]+))(?::(\d{1,5}))?$/.exec(v);
  if (!m) return false;
  if (m[1] !== undefined && !isIPv6(m[1])) return false;
  return m[3] === undefined || Number(m[3]) <= 65535;
}

/** Checked, ${VAR}-substituted headers; every problem is added to `chk` at `base`.<name>. */
export function normalizeHeaders(raw: Record<string, unknown>, base: Path, env: NodeJS.ProcessEnv, chk: Checker): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [name, rawValue] of Object.entries(raw)) {
    const path: Path = [...base, name];
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (!TOKEN.test(name)) chk.add(path, badName(name), 'key');
    else if (first !== undefined) chk.add(path, `duplicates ${formatPath([...base, first])} (header names are case-insensitive); keep one`, 'key');
    else if (WHY_NOT[lower]) chk.add(path, WHY_NOT[lower]!, 'key');
    seen.set(lower, name);
    const { value, vars, literal } = expandEnv(String(rawValue), path, env, chk);
    const problem = badValue(literal, vars);
    if (problem) chk.add(path, problem);
    else if (lower === 'host' && !isValidHostHeader(value)) {
      chk.add(path, `must be host or host:port, e.g. model.example.com or 10.0.0.7:8080 or [::1]:8080 (it replaces the Host derived from target.url)`);
    }
    out[name] = value;
  }
  return out;
}

function badName(name: string): string {
  if (name === '') return 'is not a valid header name: it is empty';
  const bad = [...name].find((c) => !TOKEN.test(c))!;
  const what = bad === ' ' ? 'a space' : bad === ':' ? 'a colon (write the name without it; the value goes after the key)' : describeChar(bad);
  return `is not a valid header name: it contains ${what}; a header name is letters, digits and !#$%&'*+-.^_\`|~ (RFC 9110 token)`;
}

/** What is wrong with a value: the written text first, then each substituted variable (named, never shown). */
function badValue(literal: string, vars: { name: string; value: string }[]): string | undefined {
  const own = firstBadChar(literal);
  if (own) return `contains ${own.what}; a header value is one line of visible ASCII${own.lineBreak ? ' (a YAML block scalar | or > or a "\\n" escape adds line breaks)' : ''}`;
  for (const v of vars) {
    const bad = firstBadChar(v.value);
    if (!bad) continue;
    const where = bad.lineBreak && /^[^\r\n]*[\r\n]+$/.test(v.value) ? 'ends with' : 'contains';
    const fix = bad.lineBreak
      ? `strip it, e.g. export ${v.name}="$(tr -d '\\r\\n' < token.txt)" (a file saved with CRLF line ends keeps its CR even through $(cat))`
      : bad.nonAscii
        ? 'header bytes have no agreed encoding beyond ASCII: percent-encode or base64 it'
        : 'remove it from the variable';
    return `gets ${bad.what} from \${${v.name}}: the environment variable ${v.name} ${where} ${bad.what}; ${fix}`;
  }
  return undefined;
}

function firstBadChar(s: string): { what: string; lineBreak: boolean; nonAscii?: boolean } | undefined {
  const cr = s.includes('\r');
  const lf = s.includes('\n');
  if (cr || lf) return { what: cr && lf ? 'a line break (CR LF)' : cr ? 'a carriage return (CR)' : 'a line break (LF)', lineBreak: true };
  if (s.includes('\0')) return { what: 'a NUL character', lineBreak: false };
  // Visible ASCII, space and tab only (RFC 9110 field-vchar without obs-text, which has no agreed encoding).
  const bad = /[^\t\x20-\x7e]/.exec(s)?.[0];
  return bad === undefined ? undefined : { what: describeChar(bad), lineBreak: false, nonAscii: bad > '\x7f' };
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code < 0x20 || code === 0x7f ? `a control character (${hex})` : code > 0x7e ? `a non-ASCII character (${hex})` : `${JSON.stringify(c)}`;
}
