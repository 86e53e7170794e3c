// The run's handle on the store process (./store-process.ts): a Db whose statements run over there, messages over
// the IPC channel with structured-clone serialization (typed arrays and Dates cross as they are). The embedded
// store's PID lock is taken here, before the child opens the directory, and released when it closes.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelwaveError } from '../errors.js';
import type { Db, QueryResult } from './db.js';
import { redactUrl } from './db.js';
import { concatParts, partSize, type Part } from './columns.js';
import { acquireLock, type HeldLock } from './lock.js';
import { packageFile } from '../util/package-files.js';
import type { StoreReply, StoreRequest } from './store-process.js';

type Body = StoreRequest extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;
type Pending = { resolve: (r: QueryResult<Record<string, unknown>>) => void; reject: (e: Error) => void };

/** Whether an embedded store already exists in `dir` (read-back commands do not create one). */
export const embeddedStoreExists = (dir: string): boolean => existsSync(join(resolve(dir), 'pgdata', 'PG_VERSION'));

/**
 * The store never slows the wave: its process runs at the lowest CPU priority, so the load workers and a local target
 * preempt it whenever they are runnable, and it works in the gaps — or, when there are none, the writer's queue
 * grows, spills to the spool, and drains later.
 */
const STORE_PROCESS_NICE = 19;

/** How long a clean close may take before the store process is let go. */
const CLOSE_TIMEOUT_MS = 3_000;

export class ProcessDb implements Db {
  private child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead?: Error;

  private constructor(
    readonly kind: 'embedded' | 'postgres',
    readonly location: string,
    private lock?: HeldLock,
  ) {
    this.child = fork(packageFile('dist/src/store/store-process.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // The parent's V8 flags (a small young generation, say) are not meant for the store.
      execArgv: [],
    });
    try {
      if (this.child.pid !== undefined) setPriority(this.child.pid, STORE_PROCESS_NICE);
    } catch {
      // not permitted here: the store keeps normal priority
    }
    // Idle, the child must not keep the run alive; while a statement is pending it does (see call()).
    this.unref();
    this.child.on('message', (m: StoreReply) => this.settle(m));
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', (code, signal) => this.fail(new Error(`the store process exited (${signal ?? `code ${code}`})`)));
  }

  private ref(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private unref(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /** Open (creating unless `create` is false) the embedded store in `dir`; migrations applied. */
  static async openEmbedded(dir: string, create: boolean): Promise<ProcessDb> {
    const abs = resolve(dir);
    if (!create && !embeddedStoreExists(abs)) {
      throw new ModelwaveError('MW_USAGE', `no embedded store at ${abs}: nothing has been stored there yet`, [
        'Run a scenario first (`modelwave run`), or point at another store with --store DIR or --store postgres://….',
      ]);
    }
    mkdirSync(abs, { recursive: true });
    const db = new ProcessDb('embedded', abs, acquireLock(join(abs, 'modelwave.lock'), abs));
    return db.open({ op: 'open', engine: 'embedded', dataDir: join(abs, 'pgdata') });
  }

  /** Connect to a Postgres server; migrations applied. Rejects with the driver's error when unreachable. */
  static async openPostgres(url: string): Promise<ProcessDb> {
    return new ProcessDb('postgres', redactUrl(url)).open({ op: 'open', engine: 'postgres', url });
  }

  private async open(body: Body): Promise<ProcessDb> {
    try {
      await this.call(body);
      return this;
    } catch (err) {
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  private call(body: Body): Promise<QueryResult<Record<string, unknown>>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.ref();
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...body, id } as StoreRequest, (err) => {
        if (err) this.fail(err);
      });
    });
  }

  private settle(m: StoreReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.unref();
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
      const cols = concatParts(group);
      await this.call({ op: 'insert', runId, cols });
      n += group.reduce((s, p) => s + partSize(p), 0);
      i = j;
    }
    return n;
  }

  /** Close cleanly within `timeoutMs`; past it (a server that stopped answering) the store process is let go. */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    try {
      if (!this.dead && timeoutMs > 0) await Promise.race([this.call({ op: 'close' }), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    } finally {
      this.dead ??= Object.assign(new Error('the store is closed'), { code: 'MW_CLOSED' });
      await this.stopChild();
      this.lock?.release();
    }
  }

  private stopChild(): Promise<void> {
    return stopChildProcess(this.child);
  }
}

/**
 * Close `c`'s IPC channel (a store process exits on it) and resolve when it has exited; one that has not gone within
 * `killAfterMs` is killed. The child is ref'd while we wait: unref'd (an idle store is), a kill after the timer would
 * leave the event loop with nothing to wait on, and the CLI would end with Node's exit 13 (unsettled top-level await)
 * instead of its own code — seen on a loaded machine, where the store process took over 5 s to go.
 * Exported for test/store/process.test.ts, which imports it by URL in a child script (no import the compiler sees).
 */
export function stopChildProcess(c: ChildProcess, killAfterMs = 5_000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  c.ref();
  return new Promise((resolve) => {
    const t = setTimeout(() => c.kill('SIGKILL'), killAfterMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    if (c.connected) c.disconnect();
    else c.kill('SIGKILL');
  });
}
