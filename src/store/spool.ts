// The spool: an append-only NDJSON file per run holding what the store could not take yet. The first line is a
// header naming the run (with its metadata, so an import into an empty store recreates the run); then `req` lines
// (columns of up to a few thousand requests), and run-level lines saved while the store was away: `windows`,
// `feedback`, `finish` (the Summary), `failed` (a run that ended without one, with the reason). Replaying a spool is idempotent, so a partly drained spool can be imported
// again in full.
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Summary, WindowSummary } from '../summary/types.js';
import { ModelwaveError } from '../errors.js';
import { fsProblemText } from '../util/fs-errors.js';
import type { Db } from './db.js';
import { decodeSpoolRequests, type Part } from './columns.js';
import { failRun, finishRun, upsertFeedback, upsertRun, upsertWindows } from './sql.js';
import type { FeedbackRow, ImportResult, RunMeta } from './types.js';

export const SPOOL_VERSION = 1;

export type SpoolLine =
  | { t: 'run'; v: number; runId: string; meta: RunMeta | null }
  | { t: 'req'; n: number; k: number; [column: string]: unknown }
  | { t: 'windows'; windows: WindowSummary[] }
  | { t: 'feedback'; rows: FeedbackRow[] }
  | { t: 'finish'; summary: Summary }
  | { t: 'failed'; error: string; endedAt: string };

/**
 * One run's spool file. Appends are serialised; a reader drains from an offset while appends continue. The file goes
 * to the first of `paths` that can be written (the working directory may be read-only: a fallback under the system's
 * temporary directory follows it).
 */
export class Spool {
  private handle?: FileHandle;
  private readonly paths: string[];
  private chosen?: string;
  private chain: Promise<void> = Promise.resolve();
  /** Bytes of complete lines on disk. */
  private written = 0;
  /** Bytes of lines already applied to the store. */
  private applied = 0;

  constructor(
    paths: string | string[],
    private readonly header: () => SpoolLine,
  ) {
    this.paths = Array.isArray(paths) ? paths : [paths];
  }

  /** The file written to (before the first append: the first choice). */
  get path(): string {
    return this.chosen ?? this.paths[0];
  }

  /** Open the first writable candidate; throws naming every candidate and what is wrong with it. */
  private async openFirstWritable(): Promise<FileHandle> {
    const problems: string[] = [];
    for (const p of this.paths) {
      try {
        mkdirSync(dirname(p), { recursive: true });
        const h = await open(p, 'a+');
        this.chosen = p;
        return h;
      } catch (err) {
        problems.push(`${p}: ${fsProblemText(err)}`);
      }
    }
    throw Object.assign(new Error(`no spool file can be written (${problems.join('; ')})`), { code: 'MW_SPOOL_UNWRITABLE' });
  }

  get pending(): boolean {
    return this.applied < this.written;
  }

  get exists(): boolean {
    return this.handle !== undefined;
  }

  /** Append complete lines (each without its newline). Resolves once they are written. */
  append(lines: string[]): Promise<void> {
    const run = this.chain.then(async () => {
      if (!this.handle) {
        this.handle = await this.openFirstWritable();
        this.written = (await this.handle.stat()).size;
        this.applied = 0; // an existing file (a crashed earlier attempt) is replayed in full: replays are idempotent
        if (this.written === 0) lines = [JSON.stringify(this.header()), ...lines];
      }
      const buf = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
      await this.handle.write(buf, 0, buf.length, null);
      this.written += buf.length;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Complete unapplied lines, up to about `maxBytes`, with the offset just past each. */
  async read(maxBytes: number): Promise<{ line: SpoolLine; end: number }[]> {
    if (!this.handle || !this.pending) return [];
    let size = Math.min(maxBytes, this.written - this.applied);
    for (;;) {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await this.handle.read(buf, 0, size, this.applied);
      const text = buf.subarray(0, bytesRead).toString('utf8');
      const lastNl = text.lastIndexOf('\n');
      if (lastNl < 0) {
        if (size >= this.written - this.applied) return []; // cannot happen: only whole lines are counted
        size = Math.min(size * 2, this.written - this.applied); // one line longer than maxBytes
        continue;
      }
      const out: { line: SpoolLine; end: number }[] = [];
      let offset = this.applied;
      for (const raw of text.slice(0, lastNl).split('\n')) {
        offset += Buffer.byteLength(raw, 'utf8') + 1;
        if (raw.trim()) out.push({ line: JSON.parse(raw) as SpoolLine, end: offset });
      }
      return out;
    }
  }

  /** Mark everything up to `offset` as applied. */
  commit(offset: number): void {
    this.applied = Math.max(this.applied, offset);
  }

  /** Wait for pending appends. */
  async settle(): Promise<void> {
    await this.chain;
  }

  /** Delete the file once everything in it is applied; a later append starts a new file. */
  async remove(): Promise<void> {
    await this.chain;
    const h = this.handle;
    this.handle = undefined;
    this.written = this.applied = 0;
    if (h) {
      await h.close();
      await unlink(this.path).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }
}

/**
 * Applies spool lines in order, merging consecutive `req` lines into inserts of up to `batchRequests` requests.
 * `add` may insert; `flush` inserts what is buffered. Returns requests inserted.
 */
export class SpoolApplier {
  private parts: Part[] = [];
  private buffered = 0;
  runId?: string;
  requests = 0;

  constructor(
    private db: Db,
    private batchRequests: number,
    runId?: string,
  ) {
    this.runId = runId;
  }

  async add(line: SpoolLine): Promise<void> {
    if (line.t === 'run') {
      this.runId = line.runId;
      if (line.meta) await upsertRun(this.db, line.meta);
      return;
    }
    const runId = this.runId;
    if (!runId) throw new Error('spool line before the run header');
    if (line.t === 'req') {
      const cols = decodeSpoolRequests(line);
      this.parts.push({ cols, from: 0, to: cols.count });
      this.buffered += cols.count;
      if (this.buffered >= this.batchRequests) await this.flush();
      return;
    }
    await this.flush(); // keep the file's order: a summary never lands before the requests it describes
    if (line.t === 'windows') await upsertWindows(this.db, runId, line.windows);
    else if (line.t === 'feedback') await upsertFeedback(this.db, runId, line.rows);
    else if (line.t === 'finish') await finishRun(this.db, line.summary);
    else if (line.t === 'failed') await failRun(this.db, runId, line.error, line.endedAt);
  }

  async flush(): Promise<void> {
    if (!this.parts.length || !this.runId) return;
    this.requests += await this.db.insertRequests(this.runId, this.parts);
    this.parts = [];
    this.buffered = 0;
  }
}

/** Load a spool file into the store (`modelwave store import`), streaming it line by line. */
export async function importSpoolFile(db: Db, path: string, batchRequests = 5_000): Promise<ImportResult> {
  try {
    statSync(path);
  } catch {
    throw new ModelwaveError('MW_FILE', `spool file not found: ${path}`, ['Pass the path printed at the end of the run.']);
  }
  const applier = new SpoolApplier(db, batchRequests);
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of rl) {
    lineNo++;
    if (!raw.trim()) continue;
    let line: SpoolLine;
    try {
      line = JSON.parse(raw) as SpoolLine;
      if (lineNo === 1 && line.t !== 'run') throw new Error('the first line is not a run header');
    } catch (err) {
      throw new ModelwaveError('MW_FILE', `${path}:${lineNo}: not a modelwave spool line (${(err as Error).message})`, [
        'A spool ends with a partly written line only if the disk filled up; remove that last line and import again.',
      ]);
    }
    await applier.add(line);
  }
  await applier.flush();
  if (!applier.runId) throw new ModelwaveError('MW_FILE', `${path} is empty: no run header`);
  return { runId: applier.runId, requests: applier.requests, lines: lineNo };
}
