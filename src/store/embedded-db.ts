// The embedded store: PGlite on disk, driven from a worker thread, guarded by a PID lock file.
// Layout of the store directory: `pgdata/` (the Postgres data directory) and `modelwave.lock`.
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelwaveError } from '../errors.js';
import type { Db, DbErrorLike, DbSession, QueryResult } from './db.js';
import { acquireLock, type HeldLock } from './lock.js';

export type WorkerRequest =
  | { id: number; op: 'open'; dataDir: string }
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' };

export type WorkerReply =
  | { id: number; ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | { id: number; ok: false; error: DbErrorLike };

type Pending = { resolve: (r: QueryResult<Record<string, unknown>>) => void; reject: (e: Error) => void };

type RequestBody = WorkerRequest extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;

/** Whether an embedded store already exists in `dir` (read-back commands do not create one). */
export const embeddedStoreExists = (dir: string): boolean => existsSync(join(resolve(dir), 'pgdata', 'PG_VERSION'));

export class EmbeddedDb implements Db {
  readonly kind = 'embedded' as const;
  readonly location: string;
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private sessionDone: Promise<void> | null = null;
  private dead?: Error;

  private constructor(
    dir: string,
    private lock: HeldLock,
  ) {
    this.location = dir;
    this.worker = new Worker(new URL('./pglite-worker.js', import.meta.url));
    // Idle, the worker must not keep the process alive; while a statement is pending it does (see call()).
    this.worker.unref();
    this.worker.on('message', (m: WorkerReply) => this.settle(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`embedded store worker exited (code ${code})`)));
  }

  static async open(dir: string, opts: { create: boolean }): Promise<EmbeddedDb> {
    const abs = resolve(dir);
    if (!opts.create && !embeddedStoreExists(abs)) {
      throw new ModelwaveError('MW_USAGE', `no embedded store at ${abs}: nothing has been stored there yet`, [
        'Run a scenario first (`modelwave run`), or point at another store with --store DIR or --store postgres://….',
      ]);
    }
    mkdirSync(abs, { recursive: true });
    const lock = acquireLock(join(abs, 'modelwave.lock'), abs);
    const db = new EmbeddedDb(abs, lock);
    try {
      await db.call({ op: 'open', dataDir: join(abs, 'pgdata') });
    } catch (err) {
      await db.close().catch(() => undefined);
      throw new ModelwaveError('MW_STORE_UNREACHABLE', `cannot open the embedded store at ${abs}: ${(err as Error).message}`, [
        'Move the directory aside to start a fresh store, or pass another one with --store DIR.',
      ]);
    }
    return db;
  }

  private call(body: RequestBody): Promise<QueryResult<Record<string, unknown>>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private settle(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.ok) p.resolve({ rows: m.rows, rowCount: m.rowCount });
    else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
  }

  private fail(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private raw: DbSession = {
    query: async <R>(sql: string, params: readonly unknown[] = []) =>
      (await this.call({ op: 'query', sql, params })) as QueryResult<R>,
    exec: async (sql: string) => {
      await this.call({ op: 'exec', sql });
    },
  };

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    while (this.sessionDone) await this.sessionDone;
    return this.raw.query<R>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    while (this.sessionDone) await this.sessionDone;
    return this.raw.exec(sql);
  }

  /** PGlite is a single session already; this only keeps other callers' statements out of the middle of `fn`. */
  async session<T>(fn: (s: DbSession) => Promise<T>): Promise<T> {
    while (this.sessionDone) await this.sessionDone;
    let done!: () => void;
    this.sessionDone = new Promise<void>((r) => (done = r));
    try {
      return await fn(this.raw);
    } finally {
      this.sessionDone = null;
      done();
    }
  }

  async close(): Promise<void> {
    try {
      if (!this.dead) await this.call({ op: 'close' });
    } finally {
      this.dead ??= Object.assign(new Error('embedded store is closed'), { code: 'MW_CLOSED' });
      await this.worker.terminate();
      this.lock.release();
    }
  }
}
