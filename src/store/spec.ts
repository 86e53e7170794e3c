// What `--store` / `MODELWAVE_STORE` mean, in one place for every command: a postgres:// URL, a directory for an
// embedded store, or nothing (the embedded store at .modelwave/store). `--no-store` (false) turns the store off.
import { ModelwaveError } from '../errors.js';
import { isPostgresUrl, redactUrl } from './db.js';
import type { StoreOptions } from './types.js';

export function resolveStoreOptions(
  flag: string | boolean | undefined,
  opts: { optional?: boolean; env?: NodeJS.ProcessEnv } = {},
): StoreOptions | null {
  if (flag === false) return null;
  const spec = (typeof flag === 'string' ? flag : undefined) ?? (opts.env ?? process.env).MODELWAVE_STORE ?? '';
  const optional = opts.optional ?? false;
  if (!spec.trim()) return { optional };
  if (isPostgresUrl(spec)) return { url: spec, optional };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new ModelwaveError('MW_USAGE', `unsupported store URL ${redactUrl(spec)}`, [
      'Use postgres://user[:password]@host[:port]/database, or a directory path for an embedded store.',
    ]);
  }
  return { embeddedDir: spec, optional };
}
