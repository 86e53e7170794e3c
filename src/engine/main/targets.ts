// Resolve target URLs: `builtin:MODEL` starts the reference model server as a child process and waits until it
// answers; an http(s):// URL is probed once so an unreachable target fails fast with exit code 3 — for https:// with a
// full TLS handshake, so a certificate the run would not accept is exit 3 before the wave, not a run of errors.
import net from 'node:net';
import { ModelwaveError } from '../../errors.js';
import { redactUrl } from '../../scenario/redact.js';
import type { Scenario } from '../../spec/types.js';
import { MAX_RESPONSE_BYTES_DEFAULT } from '../../scenario/normalize-tls.js';
import { defaultPath } from '../../server/paths.js';
import type { SpawnedServer } from '../../server/spawn.js';
import { checkHttpUrl, TARGET_SCHEMES, urlProblemText } from '../../scenario/url.js';
import { parseTargetUrl, type HttpTarget } from '../net/http.js';
import { explainTlsError, loadTlsMaterial, tlsHandshake, type TlsMaterial } from '../net/tls.js';

export interface ResolvedTarget {
  /** Full URL requests go to. */
  url: string;
  /** For reports: no credentials; builtin targets named as such. */
  display: string;
  http: HttpTarget;
  /** Base URL (scheme://host:port) — the builtin server's /feedback and /stats live there. */
  origin: string;
  /** The scenario's TLS settings, read once: https targets and https feedback URLs use them. */
  tls: TlsMaterial;
  stop(): Promise<void>;
}

export async function resolveTargets(s: Scenario, urls: string[]): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  try {
    const tls = loadTlsMaterial(s.target.tls);
    for (const u of urls) out.push(await resolveTarget(s, u, tls));
  } catch (err) {
    await Promise.all(out.map((t) => t.stop()));
    throw err;
  }
  return out;
}

async function resolveTarget(s: Scenario, url: string, tls: TlsMaterial): Promise<ResolvedTarget> {
  const contentType = 'application/json';
  // Credentials from the scenario URL's userinfo are that URL's: never sent to a compare --baseline/--candidate.
  let headers = s.target.headers;
  if (url !== s.target.url && s.target.authorizationFromUrl) {
    headers = Object.fromEntries(Object.entries(headers).filter(([h]) => h !== 'Authorization'));
  }
  const maxResponseBytes = s.target.maxResponseBytes ?? MAX_RESPONSE_BYTES_DEFAULT;
  if (url.startsWith('builtin:')) {
    const model = url.slice('builtin:'.length);
    const { origin, stop } = await startBuiltin(model);
    const full = origin + defaultPath(s.target.protocol);
    return {
      url: full,
      display: `${url} (${full})`,
      origin,
      http: httpTarget(parseTargetUrl(full), headers, contentType, maxResponseBytes, tls),
      tls,
      stop: () => stop(),
    };
  }
  // Scenario URLs were checked (and their userinfo turned into a header) by validation; compare's --baseline and
  // --candidate arrive here as written, so the same check runs again.
  const c = checkHttpUrl(url, TARGET_SCHEMES);
  if (!c.ok) throw new ModelwaveError('MW_USAGE', `target URL ${urlProblemText(c, redactUrl(url))}`);
  const { host, port, path, hostHeader, secure, authorization } = c.value;
  if (authorization !== undefined) {
    const set = Object.keys(headers).find((h) => h.toLowerCase() === 'authorization');
    if (set) {
      throw new ModelwaveError('MW_USAGE', `target URL ${redactUrl(url)} has a user:password, which is sent as Authorization: Basic, but target.headers sets ${set} too; keep one`);
    }
    headers = { ...headers, Authorization: authorization };
  }
  await probe(host, port, url);
  if (secure) {
    try {
      await tlsHandshake(host, port, tls);
    } catch (err) {
      throw new ModelwaveError('MW_TARGET_UNREACHABLE', `target ${redactUrl(url)}: ${explainTlsError(err as NodeJS.ErrnoException, hostHeader)}`);
    }
  }
  return {
    url: c.value.url,
    display: redactUrl(url),
    origin: `${secure ? 'https' : 'http'}://${hostHeader}`,
    http: httpTarget({ host, port, path, hostHeader, secure }, headers, contentType, maxResponseBytes, tls),
    tls,
    stop: async () => {},
  };
}

function httpTarget(p: ReturnType<typeof parseTargetUrl>, headers: Record<string, string>, contentType: string, maxResponseBytes: number, tls: TlsMaterial): HttpTarget {
  return {
    host: p.host,
    port: p.port,
    path: p.path,
    hostHeader: p.hostHeader,
    headers,
    contentType,
    maxResponseBytes,
    ...(p.secure && { tls }),
  };
}

function probe(host: string, port: number, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const fail = (why: string) => {
      sock.destroy();
      reject(new ModelwaveError('MW_TARGET_UNREACHABLE', `target ${redactUrl(url)} is not reachable (${why}); start the model server or fix target.url`));
    };
    sock.setTimeout(3000, () => fail('no answer within 3s'));
    sock.once('connect', () => {
      sock.destroy();
      resolve();
    });
    sock.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
  });
}

async function startBuiltin(model: string): Promise<SpawnedServer> {
  // Loaded here, not with this module: only a builtin: target spawns a server (child_process, readline).
  const { spawnReferenceServer } = await import('../../server/spawn.js');
  try {
    return await spawnReferenceServer(['--model', model]);
  } catch (err) {
    throw new ModelwaveError('MW_TARGET_UNREACHABLE', `builtin:${model}: the reference model server ${(err as Error).message}`);
  }
}
