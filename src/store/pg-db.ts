// A real Postgres server through node-postgres: a small pool, bigint parsed to numbers (every bigint we store — seq,
// counts — is far below 2^53), idle-connection errors swallowed so a server restart cannot crash the run.
import pg from 'pg';
import type { DbSession, LocalDb, QueryResult } from './db.js';
import { redactUrl } from './db.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export class PostgresDb implements LocalDb {
  readonly location: string;
  private pool: pg.Pool;
  /** Last error from an idle client; kept only for diagnostics. */
  lastIdleError?: Error;

  constructor(url: string, opts: { connectTimeoutMs?: number; queryTimeoutMs?: number } = {}) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      // A statement on a half-open connection must fail (and be retried) rather than hang the writer forever.
      query_timeout: opts.queryTimeoutMs ?? 60_000,
      keepAlive: true,
      idleTimeoutMillis: 10_000,
      application_name: 'modelwave',
      types,
    });
    this.pool.on('error', (err) => {
      this.lastIdleError = err;
    });
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const r = await this.pool.query(sql, params as unknown[] | undefined);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async session<T>(fn: (s: DbSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn({
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          const r = await client.query(sql, params as unknown[] | undefined);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        exec: async (sql: string) => {
          await client.query(sql);
        },
      });
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      // A session that failed may hold a lock or an aborted transaction: drop the connection instead of reusing it.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
