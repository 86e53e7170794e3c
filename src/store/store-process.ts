// The store process: owns the engine (PGlite or a node-postgres pool), applies migrations, turns request columns into
// COPY or multi-row INSERTs. Messages are served concurrently; PGlite queues its own statements, the pool has
// connections. A child process rather than a thread of the run: its CPU priority can be lowered portably (the parent
// sets nice 19 on it), and its memory (PGlite's WebAssembly heap, ~150 MB) and its memory-map changes stay out of
// the process whose threads keep the schedule.
import type { LocalDb } from './db.js';
import type { RequestColumns } from './columns.js';
import { migrate } from './migrations.js';
import { insertRequests } from './sql.js';

export type StoreRequest =
  | { id: number; op: 'open'; engine: 'embedded'; dataDir: string }
  | { id: number; op: 'open'; engine: 'postgres'; url: string }
  | { id: number; op: 'query'; sql: string; params: readonly unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'insert'; runId: string; cols: RequestColumns }
  | { id: number; op: 'close' };

export type StoreReply =
  | { id: number; ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | { id: number; ok: false; error: { message: string; code?: string } };

let db: LocalDb | undefined;

const done = (id: number, rows: Record<string, unknown>[] = [], rowCount = 0): StoreReply => ({ id, ok: true, rows, rowCount });

async function handle(msg: StoreRequest): Promise<StoreReply> {
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

// The run decides when the store stops: Ctrl-C reaches the whole process group, and this process must still be
// here to drain the last records. It ends when the parent closes the channel (or dies).
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));

process.on('message', (msg: StoreRequest) => {
  void handle(msg).then((reply) => {
    // The run may close the channel while a reply is on its way (it stopped waiting): nothing left to tell it.
    if (process.connected) process.send!(reply, undefined, {}, () => undefined);
  });
});
