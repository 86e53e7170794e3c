// What a failed file-system call means to the user, and what they can do about it. One home for the wording, used
// by the reports, the spool and the embedded store: an unwritable or full disk is the user's environment, never an
// "internal error".

/** errno codes that describe the environment (permissions, space, a path shape), not a bug. */
const PROBLEMS: Record<string, { what: string; fix: string }> = {
  EACCES: { what: 'permission denied', fix: 'give this user access to it, or choose a path this user can write to' },
  EPERM: { what: 'operation not permitted', fix: 'give this user access to it, or choose a path this user can write to' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a directory on a writable file system' },
  ENOSPC: { what: 'no space left on the device', fix: 'free some space, or choose a directory on another disk' },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free some space, or choose a directory on another disk' },
  ENOTDIR: { what: 'a part of the path is a file, not a directory', fix: 'choose a path whose parents are all directories' },
  EISDIR: { what: 'a directory stands where a file must be written', fix: 'remove that directory or choose another path' },
  EEXIST: { what: 'a file stands where a directory must be created', fix: 'remove that file or choose another path' },
  ENAMETOOLONG: { what: 'the path is too long', fix: 'choose a shorter path' },
  ELOOP: { what: 'the path has a symbolic-link loop', fix: 'fix the link or choose another path' },
  EMFILE: { what: 'too many open files', fix: 'raise the open-file limit (ulimit -n)' },
  ENFILE: { what: 'too many open files on this system', fix: 'raise the system open-file limit' },
  EIO: { what: 'an input/output error from the device', fix: 'check the disk, or choose a directory on another disk' },
  ENOENT: { what: 'no such file or directory', fix: 'check the path' },
};

interface FsProblem {
  /** errno code, e.g. ENOSPC. */
  code: string;
  /** "no space left on the device (ENOSPC)". */
  what: string;
  fix: string;
}

/** The problem behind a file-system error, or undefined when `err` is not one we can explain. */
export function fsProblem(err: unknown): FsProblem | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const p = PROBLEMS[code];
  return p ? { code, what: `${p.what} (${code})`, fix: p.fix } : undefined;
}

/** "permission denied (EACCES)", or the error's own message when it is not a known file-system problem. */
export function fsProblemText(err: unknown): string {
  return fsProblem(err)?.what ?? ((err as Error)?.message || String(err));
}
