// The store thread: owns the engine (PGlite or a node-postgres pool), applies migrations, turns request columns into
// multi-row INSERTs. Messages are served concurrently; PGlite queues its own statements, the pool has connections.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { LocalDb } from './db.js';
import type { RequestColumns } from './columns.js';
import { migrate } from './migrations.js';
import { insertRequests } from './sql.js';

export type ThreadRequest =
  | { id: number; op: 'open'; engine: 'embedded'; dataDir: string }
  | { id: number; op: 'open'; engine: 'postgres'; url: string }
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'insert'; runId: string; cols: RequestColumns }
  | { id: number; op: 'close' };

export type ThreadReply =
  | { id: number; ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | { id: number; ok: false; error: { message: string; code?: string } };

let db: LocalDb | undefined;

const done = (id: number, rows: Record<string, unknown>[] = [], rowCount = 0): ThreadReply => ({ id, ok: true, rows, rowCount });

async function handle(msg: ThreadRequest): Promise<ThreadReply> {
  try {
    switch (msg.op) {
      case 'open': {
        // Loaded on demand: a Postgres store never pays for loading PGlite's WebAssembly, and vice versa.
        if (msg.engine === 'embedded') db = await (await import('./pglite-db.js')).PgliteDb.open(msg.dataDir);
        else db = new (await import('./pg-db.js')).PostgresDb(msg.url);
        const applied = await migrate(db);
        return done(msg.id, applied.map((version) => ({ version })));
      }
      case 'query': {
        const r = await need().query<Record<string, unknown>>(msg.sql, msg.params);
        return done(msg.id, r.rows, r.rowCount);
      }
      case 'exec':
        await need().exec(msg.sql);
        return done(msg.id);
      case 'insert': {
        const n = await insertRequests(need(), msg.runId, [{ cols: msg.cols, from: 0, to: msg.cols.count }]);
        return done(msg.id, [], n);
      }
      case 'close': {
        const d = db;
        db = undefined;
        await d?.close();
        return done(msg.id);
      }
    }
  } catch (err) {
    const e = err as { message?: string; code?: string };
    return { id: msg.id, ok: false, error: { message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined } };
  }
}

function need(): LocalDb {
  if (!db) throw Object.assign(new Error('the store is not open'), { code: 'MW_CLOSED' });
  return db;
}

/**
 * The store must never slow the wave: this thread runs at the lowest CPU priority (nice 19), so the load workers
 * and the target preempt it whenever they are runnable, and it works in the gaps — or, when there are none, the
 * writer's queue grows and spills to the spool, which drains after the run. Linux keeps nice per thread; a thread's
 * id comes from /proc/thread-self. Elsewhere (or if refused) the thread keeps the process's priority.
 */
export const STORE_THREAD_NICE = 19;
function lowerOwnPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, STORE_THREAD_NICE);
  } catch {
    // not Linux, or not permitted: nothing to do
  }
}
lowerOwnPriority();

parentPort!.on('message', (msg: ThreadRequest) => {
  void handle(msg).then((reply) => parentPort!.postMessage(reply));
});
