// Runs PGlite (Postgres compiled to WebAssembly) on its own thread: a statement executes synchronously inside the
// WASM module, and on the main thread it would stall everything else the run does while it inserts.
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { WorkerRequest, WorkerReply } from './embedded-db.js';

let db: PGlite | undefined;

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  try {
    switch (msg.op) {
      case 'open':
        db = await PGlite.create(msg.dataDir);
        return { id: msg.id, ok: true, rows: [], rowCount: 0 };
      case 'query': {
        const r = await need().query<Record<string, unknown>>(msg.sql, msg.params as unknown[]);
        return { id: msg.id, ok: true, rows: r.rows, rowCount: r.affectedRows ?? 0 };
      }
      case 'exec':
        await need().exec(msg.sql);
        return { id: msg.id, ok: true, rows: [], rowCount: 0 };
      case 'close':
        if (db && !db.closed) await db.close();
        db = undefined;
        return { id: msg.id, ok: true, rows: [], rowCount: 0 };
    }
  } catch (err) {
    const e = err as { message?: string; code?: string };
    return { id: msg.id, ok: false, error: { message: e?.message ?? String(err), code: e?.code } };
  }
}

function need(): PGlite {
  if (!db) throw Object.assign(new Error('embedded store is not open'), { code: 'MW_CLOSED' });
  return db;
}

// PGlite is one backend: statements run strictly one after another, in arrival order.
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: WorkerRequest) => {
  chain = chain.then(async () => parentPort!.postMessage(await handle(msg)));
});
