// PGlite (Postgres compiled to WebAssembly) on a data directory, as a LocalDb in the store process.
import { PGlite } from '@electric-sql/pglite';
import type { DbSession, LocalDb, QueryResult } from './db.js';

export class PgliteDb implements LocalDb {
  private constructor(private readonly pg: PGlite) {}

  static async open(dataDir: string): Promise<PgliteDb> {
    return new PgliteDb(await PGlite.create(dataDir));
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const r = await this.pg.query<R>(sql, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
  }

  async copyCsv(sql: string, csv: string): Promise<void> {
    await this.pg.query(sql, [], { blob: new Blob([csv]) });
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  /** A PGlite instance is a single session already; the store process migrates before serving anything else. */
  session<T>(fn: (s: DbSession) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}
