// Reading the PEM files of `target.tls`: the one place that says what a usable CA, certificate or key file is, so the
// loader (`validate`) and the start of a run reject the same files with the same words.
import { readFileSync, statSync } from 'node:fs';

export type PemKind = 'ca' | 'cert' | 'key';

/** PEM files are a few KB; a CA bundle a few hundred. Anything bigger is the wrong file. */
const MAX_PEM_BYTES = 4 * 1024 * 1024;

const CERT = '-----BEGIN CERTIFICATE-----';
const KEY = /-----BEGIN (?:RSA |EC |DSA )?PRIVATE KEY-----/;
const ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/**
 * The text of a PEM file, or an Error whose message is a predicate on the key ("names a file that does not exist:
 * /x/ca.pem") — callers prefix the key (`target.tls.ca`).
 */
export function readPemFile(abs: string, kind: PemKind): string {
  let text: string;
  try {
    const st = statSync(abs);
    if (!st.isFile()) throw new Error(`is not a regular file: ${abs}`);
    if (st.size > MAX_PEM_BYTES) throw new Error(`is ${st.size} bytes, too large for a PEM file (at most ${MAX_PEM_BYTES}): ${abs}`);
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error(`names a file that does not exist: ${abs}`);
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new Error(`names a file that cannot be read (permission denied): ${abs}`);
    if (e.code) throw new Error(`names a file that cannot be read (${e.code}): ${abs}`);
    throw e;
  }
  if (kind === 'key') {
    if (ENCRYPTED.test(text)) throw new Error(`is an encrypted private key, and modelwave takes no passphrase; decrypt it (openssl pkey -in KEY.pem -out plain.pem): ${abs}`);
    if (!KEY.test(text)) throw new Error(`is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----"): ${abs}`);
  } else if (!text.includes(CERT)) {
    throw new Error(`is not a PEM certificate file (expected "${CERT}"): ${abs}`);
  }
  return text;
}
