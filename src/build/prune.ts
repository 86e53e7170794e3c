// Which old chunks a rebuild may delete. Chunk file names carry a hash of their content, so a rebuild after a change
// writes new names beside the old ones. A process started before the rebuild (a long run, a capacity search) imports
// some chunks only later — the report writers at the end of a run — by their old names, so deleting every chunk first
// ended such a run without its reports. Old chunks are kept for a day, then removed by the next build.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** How long a chunk the current build no longer writes is kept: longer than a run started before a rebuild lasts. */
export const KEEP_OLD_CHUNKS_MS = 24 * 60 * 60 * 1000;

/**
 * The files in `dir` (absolute paths) that the build just made did not write and that were last written more than
 * `keepMs` before `nowMs`. `written`: the build's output file names in `dir` (basenames, `.js` and `.js.map`).
 * A missing `dir` has nothing to prune.
 */
export function staleChunks(dir: string, written: ReadonlySet<string>, nowMs: number, keepMs = KEEP_OLD_CHUNKS_MS): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => !written.has(n))
    .map((n) => path.join(dir, n))
    .filter((f) => nowMs - statSync(f).mtimeMs > keepMs);
}
