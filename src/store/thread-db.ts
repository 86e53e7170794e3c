// The main thread's handle on the store thread: a Db whose statements run over there. The embedded store's PID lock
// is taken here, before the thread opens the directory, and released when it closes.
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelwaveError } from '../errors.js';
import type { Db, QueryResult } from './db.js';
import { redactUrl } from './db.js';
import { concatParts, partSize, type Part } from './columns.js';
import { acquireLock, type HeldLock } from './lock.js';
import type { ThreadReply, ThreadRequest } from './store-thread.js';

type Body = ThreadRequest extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;
type Pending = { resolve: (r: QueryResult<Record<string, unknown>>) => void; reject: (e: Error) => void };

/** Whether an embedded store already exists in `dir` (read-back commands do not create one). */
export const embeddedStoreExists = (dir: string): boolean => existsSync(join(resolve(dir), 'pgdata', 'PG_VERSION'));

export class ThreadDb implements Db {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead?: Error;

  private constructor(
    readonly kind: 'embedded' | 'postgres',
    readonly location: string,
    private lock?: HeldLock,
  ) {
    this.worker = new Worker(new URL('./store-thread.js', import.meta.url));
    // Idle, the thread must not keep the process alive; while a statement is pending it does (see call()).
    this.worker.unref();
    this.worker.on('message', (m: ThreadReply) => this.settle(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the store thread exited (code ${code})`)));
  }

  /** Open (creating unless `create` is false) the embedded store in `dir`; migrations applied. */
  static async openEmbedded(dir: string, create: boolean): Promise<ThreadDb> {
    const abs = resolve(dir);
    if (!create && !embeddedStoreExists(abs)) {
      throw new ModelwaveError('MW_USAGE', `no embedded store at ${abs}: nothing has been stored there yet`, [
        'Run a scenario first (`modelwave run`), or point at another store with --store DIR or --store postgres://….',
      ]);
    }
    mkdirSync(abs, { recursive: true });
    const db = new ThreadDb('embedded', abs, acquireLock(join(abs, 'modelwave.lock'), abs));
    return db.open({ op: 'open', engine: 'embedded', dataDir: join(abs, 'pgdata') });
  }

  /** Connect to a Postgres server; migrations applied. Rejects with the driver's error when unreachable. */
  static async openPostgres(url: string): Promise<ThreadDb> {
    return new ThreadDb('postgres', redactUrl(url)).open({ op: 'open', engine: 'postgres', url });
  }

  private async open(body: Body): Promise<ThreadDb> {
    try {
      await this.call(body);
      return this;
    } catch (err) {
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  private call(body: Body, transfer: ArrayBuffer[] = []): Promise<QueryResult<Record<string, unknown>>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as ThreadRequest, transfer);
    });
  }

  private settle(m: ThreadReply): void {
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

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return (await this.call({ op: 'query', sql, params })) as QueryResult<R>;
  }

  async exec(sql: string): Promise<void> {
    await this.call({ op: 'exec', sql });
  }

  async insertRequests(runId: string, parts: Part[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < parts.length; ) {
      let j = i + 1;
      while (j < parts.length && parts[j].cols.rowsPerRequest === parts[i].cols.rowsPerRequest) j++;
      const group = parts.slice(i, j);
      const { cols, transfer } = concatParts(group);
      await this.call({ op: 'insert', runId, cols }, transfer);
      n += group.reduce((s, p) => s + partSize(p), 0);
      i = j;
    }
    return n;
  }

  async close(): Promise<void> {
    try {
      if (!this.dead) await this.call({ op: 'close' });
    } finally {
      this.dead ??= Object.assign(new Error('the store is closed'), { code: 'MW_CLOSED' });
      await this.worker.terminate();
      this.lock?.release();
    }
  }
}
