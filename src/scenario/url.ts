// Target and feedback URLs: what the user wrote is what is requested, or it is a validation error. The WHATWG URL
// parser (new URL) silently repairs input — it drops tabs and line breaks, trims spaces, reads `\` as `/` and
// `http:/x` as `http://x` — so those are refused here before it sees them. `user:password@` becomes an
// `Authorization: Basic` header, as curl does (percent-decoded, RFC 7617), and leaves the URL.
import { isIPv6 } from 'node:net';

export interface HttpUrl {
  /** The URL without userinfo (what is requested, and what may be shown once redacted). */
  url: string;
  /** Connect address: the host name or IP, IPv6 without brackets. */
  host: string;
  port: number;
  /** Request target: path and query, never empty, without the fragment. */
  path: string;
  /** The Host header value for this URL: host (IPv6 in brackets) and the port unless it is the scheme's default. */
  hostHeader: string;
  /** https: — the connection is TLS (target.tls settings apply). */
  secure: boolean;
  /** `Basic …` from userinfo, when the URL had one. */
  authorization?: string;
}

/** A failed check: `problem` is a predicate ("must be …"), `hint` the fix; neither contains the URL (or a password). */
export type UrlCheck = { ok: true; value: HttpUrl } | { ok: false; problem: string; hint?: string };

/** "<problem> (got <shown>); <hint>" — `shown` is the URL as it may be printed (redacted). */
export const urlProblemText = (c: { problem: string; hint?: string }, shown: string): string =>
  `${c.problem} (got ${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown)})${c.hint ? `; ${c.hint}` : ''}`;

/** Schemes modelwave's own HTTP client speaks (target.url) and the feedback poster (fetch) speaks. */
export const TARGET_SCHEMES = ['http:', 'https:'] as const;
export const FEEDBACK_SCHEMES = ['http:', 'https:'] as const;

/** Check an http(s) URL. `problem` is a predicate for "<path> …" messages and never contains the password. */
export function checkHttpUrl(raw: string, schemes: readonly string[], orElse?: string): UrlCheck {
  const fail = (problem: string, hint?: string): UrlCheck => ({ ok: false, problem, ...(hint && { hint }) });
  const schemeList = schemes.map((s) => `${s}//`).join(' or ');
  const bad = /[\x00-\x20\x7f\\]/.exec(raw)?.[0];
  if (bad !== undefined) {
    return fail(`must not contain ${charName(bad)}`, bad === '\\' ? 'use / in URLs' : 'percent-encode it (a space is %20) or remove it');
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(`${scheme}:`)) {
    const hint =
      scheme === undefined || /^[^:/]+:\d/.test(raw)
          ? 'add the scheme, e.g. http://127.0.0.1:8080/predict'
          : undefined;
    return fail(`must be an ${schemeList} URL${orElse ? ` or ${orElse}` : ''}`, hint);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(raw)) return fail(`must be ${scheme}://host[:port]/path`, `the host is missing, or a / after ${scheme}:`);
  const authority = /^[^:]*:\/\/([^/?#]*)/.exec(raw)![1]!;
  const hostPort = /^(?:\[[^\]]*\]|[^:[\]]*)(?::(\d*))?$/.exec(authority.slice(authority.lastIndexOf('@') + 1));
  if (!hostPort) return fail('has a malformed host or port', 'write host:port with a port from 1 to 65535, IPv6 in brackets like [::1]:8080');
  const portText = hostPort[1];
  if (portText && !(Number(portText) >= 1 && Number(portText) <= 65535)) return fail(`has port ${portText}`, 'a port is from 1 to 65535');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail('is not a valid URL', `check the host: ${scheme}://host[:port]/path, IPv6 in brackets like [::1]`);
  }
  let authorization: string | undefined;
  if (u.username || u.password || authority.includes('@')) {
    let user: string;
    let password: string;
    try {
      user = decodeURIComponent(u.username);
      password = decodeURIComponent(u.password);
    } catch {
      return fail('has a malformed percent-encoding (%XX) in its user:password part');
    }
    authorization = basicAuthorization(user, password);
    u.username = '';
    u.password = '';
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (u.hostname.startsWith('[') && !isIPv6(host)) return fail('has a malformed IPv6 address');
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80;
  return {
    ok: true,
    value: {
      url: u.href,
      host,
      port,
      // WHATWG drops an empty query (`/predict?`); curl sends it, and so do we.
      path: (u.pathname || '/') + (u.search || (/\?$/.test(raw.split('#')[0]!) ? '?' : '')),
      hostHeader: u.host,
      secure: scheme === 'https',
      ...(authorization !== undefined && { authorization }),
    },
  };
}

/** RFC 7617: `Basic base64(user ":" password)`, UTF-8. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function charName(c: string): string {
  switch (c) {
    case ' ':
      return 'a space';
    case '\t':
      return 'a tab';
    case '\r':
      return 'a carriage return (CR)';
    case '\n':
      return 'a line break (LF)';
    case '\\':
      return 'a backslash';
    default:
      return `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  }
}
