// TLS for https:// targets and feedback URLs: the material (PEM files read once at the start of a run), the secure
// context each pool builds once, and the pre-start handshake that turns a bad certificate into an exit-3 error
// naming the host and the fix, before any request is sent.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type tls from 'node:tls';
import { ModelwaveError } from '../../errors.js';
import type { Scenario, TlsSpec } from '../../spec/types.js';
import { nodeTls } from '../../util/node-tls.js';
import { readPemFile } from '../../util/pem.js';
import type { TlsMaterial } from '../task.js';
export type { TlsMaterial };

/** What the workers get (structured clone): PEM text, never file paths. */
/** Read the PEM files of `target.tls` (once per run); an unreadable file is exit 2 naming its key. */
export function loadTlsMaterial(spec: TlsSpec | undefined, env: NodeJS.ProcessEnv = process.env): TlsMaterial {
  if (!spec) return { rejectUnauthorized: true };
  const read = (kind: 'ca' | 'cert' | 'key', abs: string) => {
    try {
      return readPemFile(abs, kind);
    } catch (err) {
      throw new ModelwaveError('MW_FILE', `target.tls.${kind} ${(err as Error).message}`);
    }
  };
  const m: TlsMaterial = { rejectUnauthorized: !spec.insecure };
  if (spec.ca) m.ca = [...nodeTls().rootCertificates, ...extraCaCerts(env), read('ca', spec.ca)];
  if (spec.cert) m.cert = read('cert', spec.cert);
  if (spec.key) m.key = read('key', spec.key);
  return m;
}

/** NODE_EXTRA_CA_CERTS as Node reads it at start-up (a file it cannot read, Node already warned about: skip it). */
function extraCaCerts(env: NodeJS.ProcessEnv): string[] {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

/** One per pool: building a context parses the whole trust store, far too slow to do per connection. */
export function createSecureContext(m: TlsMaterial): tls.SecureContext {
  return nodeTls().createSecureContext({ ...(m.ca && { ca: m.ca }), ...(m.cert && { cert: m.cert }), ...(m.key && { key: m.key }) });
}

/** SNI carries a host name, never an IP address (RFC 6066 §3). */
export const serverNameOf = (host: string): string | undefined => (net.isIP(host) ? undefined : host);

/**
 * The undici dispatcher feedback posts use for an https:// URL: the target's trust and client certificate. undici is
 * imported here, on first use, not with this module: loading it costs ~150 ms of CPU in every thread that does.
 */
export async function httpsAgent(m: TlsMaterial): Promise<import('undici').Agent> {
  const { Agent } = await import('undici');
  return new Agent({ connect: { ...(m.ca && { ca: m.ca }), ...(m.cert && { cert: m.cert }), ...(m.key && { key: m.key }), rejectUnauthorized: m.rejectUnauthorized } });
}

/** The warning of `target.tls.insecure` for a run against `url` (its host only: a URL may carry a secret). */
export function insecureTlsWarnings(s: Scenario, url: string): string[] {
  if (!s.target.tls?.insecure) return [];
  const hosts = [url, s.feedback?.url ?? ''].filter((u) => u.startsWith('https:')).map((u) => new URL(u).host);
  if (hosts.length === 0) return [];
  return [
    `target.tls.insecure is true: the certificate of ${[...new Set(hosts)].join(' and ')} is not verified, so anyone on the network path can read and change the traffic (set target.tls.ca to the CA instead)`,
  ];
}

/** Error codes of a server certificate that does not chain to a trusted CA. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'CERT_REJECTED',
]);
const CLIENT_CERT = /CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_ACCESS_DENIED/;

const TRUST_FIX = 'set target.tls.ca to the PEM file of the CA that signed it (or NODE_EXTRA_CA_CERTS), or target.tls.insecure: true to skip verification';

/** Why a TLS handshake with `host` failed, and what to change: one sentence for the exit-3 message. */
export function explainTlsError(err: NodeJS.ErrnoException & { reason?: string }, host: string): string {
  const code = err.code ?? '';
  if (UNTRUSTED.has(code)) return `the certificate of ${host} is not trusted (${code}: ${err.message}); ${TRUST_FIX}`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `the certificate of ${host} is not valid now (${code}: ${err.message}); renew it on the server (or check this machine's clock), or set target.tls.insecure: true to skip verification`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the certificate of ${host} is not for this name (${err.reason ?? err.message}); use a target.url with a name the certificate lists, or target.tls.insecure: true to skip verification`;
  }
  if (CLIENT_CERT.test(code)) {
    return `${host} refused the TLS connection (${code}): it asks for a client certificate it trusts; set target.tls.cert and target.tls.key (mutual TLS)`;
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/.test(code)) {
    return `${host} does not speak TLS on this port (${code}); if it serves plain HTTP, use an http:// URL`;
  }
  return `the TLS handshake with ${host} failed (${code || err.message}${code ? `: ${err.message}` : ''})`;
}

/**
 * A full TLS handshake with the target before the wave, so a certificate problem is an exit-3 error rather than every
 * request failing. With TLS 1.3 the server judges a client certificate only after the client's handshake is done:
 * wait for its first session ticket (accepted) or its alert (refused), at most `settleMs`.
 */
export function tlsHandshake(host: string, port: number, m: TlsMaterial, timeoutMs = 3000, settleMs = 300): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const servername = serverNameOf(host);
    const sock = nodeTls().connect({ host, port, ...(servername && { servername }), secureContext: createSecureContext(m), rejectUnauthorized: m.rejectUnauthorized });
    const timer = setTimeout(() => finish(new Error(`no TLS handshake within ${timeoutMs / 1000}s`)), timeoutMs);
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      if (sock.getProtocol() !== 'TLSv1.3') return finish();
      sock.once('session', () => finish());
      setTimeout(() => finish(), settleMs);
    });
    sock.once('error', (e) => finish(e));
    sock.once('close', () => finish(new Error('the server closed the connection during the TLS handshake')));
  });
}
