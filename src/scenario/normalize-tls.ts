// target.tls and target.maxResponseBytes. The PEM files are read here too, so `validate` already finds a missing,
// unreadable or wrong file (and a key that does not belong to its certificate); the run reads them again at start.
import { resolve } from 'node:path';
import { formatSizeBytes, parseSizeBytes } from '../util/size.js';
import { nodeTls } from '../util/node-tls.js';
import { readPemFile, type PemKind } from '../util/pem.js';
import type { Checker } from './check.js';
import type { RawTarget } from './schema.js';
import type { TlsSpec } from '../spec/types.js';

export const MAX_RESPONSE_BYTES_DEFAULT = 16 * 1024 * 1024;
/** A body is decoded into one JS string (V8's limit is ~512 M characters) and parsed as JSON: stay well below. */
const MAX_RESPONSE_BYTES_LIMIT = 256 * 1024 * 1024;

export function normalizeMaxResponseBytes(raw: RawTarget['maxResponseBytes'], chk: Checker): number {
  if (raw === undefined) return MAX_RESPONSE_BYTES_DEFAULT;
  const n = parseSizeBytes(raw); // the schema checked the syntax
  if (n < 1 || n > MAX_RESPONSE_BYTES_LIMIT) {
    chk.add(['target', 'maxResponseBytes'], `must be between 1 byte and ${formatSizeBytes(MAX_RESPONSE_BYTES_LIMIT)} (got ${formatSizeBytes(n)}); a model answer larger than that cannot be decoded`);
  }
  return n;
}

export function normalizeTls(raw: RawTarget['tls'], dir: string, chk: Checker): TlsSpec | undefined {
  if (raw === undefined) return undefined;
  const texts: Partial<Record<PemKind, string>> = {};
  const spec: TlsSpec = { insecure: raw.insecure ?? false };
  for (const kind of ['ca', 'cert', 'key'] as const) {
    const file = raw[kind];
    if (file === undefined) continue;
    const abs = resolve(dir, file);
    spec[kind] = abs;
    try {
      texts[kind] = readPemFile(abs, kind);
    } catch (err) {
      chk.add(['target', 'tls', kind], (err as Error).message);
    }
  }
  if ((raw.cert === undefined) !== (raw.key === undefined)) {
    const [has, lacks] = raw.cert !== undefined ? ['cert', 'key'] : ['key', 'cert'];
    chk.add(['target', 'tls', has], `needs target.tls.${lacks} too: mutual TLS takes the client certificate and its private key`);
    return spec;
  }
  // Let OpenSSL judge what the text checks cannot: a broken certificate, a key that is not the certificate's.
  if (texts.ca !== undefined) {
    try {
      nodeTls().createSecureContext({ ca: texts.ca });
    } catch (err) {
      chk.add(['target', 'tls', 'ca'], `cannot be used as a CA certificate (${(err as Error).message}): ${spec.ca}`);
    }
  }
  if (texts.cert !== undefined && texts.key !== undefined) {
    try {
      nodeTls().createSecureContext({ cert: texts.cert, key: texts.key });
    } catch (err) {
      chk.add(['target', 'tls', 'key'], `cannot be used with target.tls.cert (${(err as Error).message}); give the private key of that certificate`);
    }
  }
  return spec;
}
