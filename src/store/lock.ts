// Only one process may open a PGlite directory (it is a single Postgres backend with no shared memory between
// processes). A lock file holding the owner's PID guards it; a lock whose process is gone is stale and taken over.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { ModelwaveError } from '../errors.js';

export interface HeldLock {
  readonly path: string;
  release(): void;
}

interface LockInfo {
  pid: number;
  hostname: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined; // half-written or unreadable: treated as stale below
  }
}

/** Take the lock at `path` for the store at `storeDir`, or throw MW_STORE_UNREACHABLE naming the holder. */
export function acquireLock(path: string, storeDir: string): HeldLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const info: LockInfo = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return held(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(path);
    const sameHost = !holder || holder.hostname === hostname();
    const stale = !holder || (sameHost && holder.pid !== process.pid && !alive(holder.pid));
    if (!stale) {
      const who = holder.pid === process.pid ? 'this process (opened twice)' : `process ${holder.pid} on ${holder.hostname}`;
      throw new ModelwaveError('MW_STORE_UNREACHABLE', `the embedded store at ${storeDir} is in use by ${who} since ${holder.since}`, [
        'Wait for that run to finish, or pass another directory with --store DIR (or MODELWAVE_STORE).',
        'Several runs can share one Postgres server: --store postgres://user@host/db.',
        `If no such process exists, delete ${path}.`,
      ]);
    }
    try {
      unlinkSync(path);
    } catch {
      // another process took the stale lock over first; the next attempt sees its lock
    }
  }
  throw new ModelwaveError('MW_STORE_UNREACHABLE', `could not take the lock ${path} for the embedded store at ${storeDir}`);
}

function held(path: string): HeldLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readLock(path)?.pid !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // An exit without close() (crash, process.exit) must not leave a lock that looks alive to this PID's successor.
  process.once('exit', release);
  return { path, release };
}
