// The start barrier of a distributed run, in the shared Postgres store (tables run_groups, run_group_shards: see
// store/migrations.ts, version 3). No coordinator process: every shard runs the same steps.
//
//   1. join: register as shard I of group G (under a per-group advisory lock). A group that already started, or
//      whose N or scenario differs from this shard's, is refused (exit 2).
//   2. wait: every POLL_MS, try to fix T0. The statement that fixes it runs under the same lock and only when all N
//      shards are registered, so exactly one shard fixes T0 = the server's clock_timestamp() + START_MARGIN_MS, and
//      every shard reads that same value. After barrierTimeoutMs without T0, the shard leaves the barrier (status
//      timed-out, under the lock: T0 can then no longer be fixed without it) and exits 3 having sent nothing.
//   3. clock: CLOCK_SAMPLES round trips of `SELECT clock_timestamp()`; the sample with the smallest round trip gives
//      offset = server − (tSend + tRecv)/2 with uncertainty RTT/2 (clock.ts). t = 0 of the run is T0 − offset on
//      this machine's clock. Start skew = how late the shard learned T0 (0 when it knew in time).
//   4. The shard's row keeps run id, host, offset, uncertainty, skew and status (started → completed / failed …).
// docs/distributed.md states these rules with their numbers and what the user sees when each fails.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ModelwaveError, usageError } from '../errors.js';
import { redactUrl } from '../store/db.js';
import { estimateOffset, type ClockOffset, type ClockSample } from './clock.js';
import type { GroupSpec } from './shard.js';

/** How often a waiting shard looks at the barrier. */
const POLL_MS = 100;
/** T0 is fixed this far ahead of the moment the last shard registers: every shard must see it and sync its clock first. */
const START_MARGIN_MS = 2_000;
/** Round trips per clock estimate (the one with the smallest round trip is kept). */
const CLOCK_SAMPLES = 16;
/** A shard whose start skew plus clock uncertainty exceeds this (ms) started late: the group is INVALID. */
export const START_TOLERANCE_MS = 50;

const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('modelwave-run-group:' || $1))";

/** Local clock in ms on the same scale as Date.now(), but monotonic: the engine's epoch is on this scale. */
const localNowMs = (): number => performance.timeOrigin + performance.now();

interface ShardStart {
  /** t = 0 of the run on this machine's clock (localNowMs scale). */
  epochLocalMs: number;
  /** T0 on the database server's clock (ms since the Unix epoch). */
  t0ServerMs: number;
  clock: ClockOffset;
  /** How late (ms) this shard started relative to T0 on its corrected clock: 0 when it learned T0 in time. */
  startSkewMs: number;
}

export class ShardBarrier {
  private pending: Promise<unknown> = Promise.resolve();
  start?: ShardStart;

  private constructor(
    private readonly g: GroupSpec,
    private readonly runId: string,
    private readonly client: pg.Client,
    private readonly joinedAtMs: number,
  ) {}

  /**
   * Register as shard g.shard.index of group g.name. `scenario` is what `merge` needs (stored once per group);
   * `fingerprint` must match every other shard's. Unreachable store → MW_STORE_UNREACHABLE (exit 3); a group that
   * started already or differs → MW_USAGE (exit 2).
   */
  static async join(g: GroupSpec, runId: string, scenario: unknown, fingerprint: string): Promise<ShardBarrier> {
    const client = new pg.Client({ connectionString: g.storeUrl, connectionTimeoutMillis: 10_000, application_name: 'modelwave-barrier' });
    client.on('error', () => {}); // a lost connection fails the next query, which says so
    try {
      await client.connect();
    } catch (err) {
      throw new ModelwaveError('MW_STORE_UNREACHABLE', `cannot reach the store ${redactUrl(g.storeUrl)} for the start barrier: ${(err as Error).message}`);
    }
    const { index, count } = g.shard;
    try {
      await client.query('BEGIN');
      await client.query(LOCK_SQL, [g.name]);
      await client.query(
        `INSERT INTO run_groups (name, shards, fingerprint, scenario, start_margin_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO NOTHING`,
        [g.name, count, fingerprint, JSON.stringify(scenario), START_MARGIN_MS],
      );
      const grp = (await client.query<{ shards: number; fingerprint: string; started: boolean }>(
        'SELECT shards, fingerprint, start_at IS NOT NULL AS started FROM run_groups WHERE name = $1',
        [g.name],
      )).rows[0];
      const refuse = (msg: string, fix: string) => usageError(`run group ${g.name}: ${msg}`, [fix]);
      if (grp.started) throw refuse('it has already started (or ran before)', 'Use a new --run-group name for every distributed run.');
      if (grp.shards !== count) throw refuse(`it has ${grp.shards} shards, this one says ${count}`, 'Give every shard the same N (--shard I/N or MODELWAVE_SHARDS).');
      if (grp.fingerprint !== fingerprint) {
        throw refuse('another shard registered a different scenario (load, data, labels, thresholds or target differ)', 'Run every shard with the same scenario file and flags.');
      }
      // A slot a previous process left (a pod restarted before T0) is taken over; that process sees it and stops.
      await client.query(
        `INSERT INTO run_group_shards (group_name, shard, run_id, host) VALUES ($1, $2, $3, $4)
         ON CONFLICT (group_name, shard) DO UPDATE SET run_id = EXCLUDED.run_id, host = EXCLUDED.host,
           registered_at = clock_timestamp(), status = 'registered', error = NULL`,
        [g.name, index, runId, os.hostname()],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
      if (err instanceof ModelwaveError) throw err;
      if ((err as { code?: string }).code === '42P01') {
        throw new ModelwaveError('MW_STORE_UNREACHABLE', `the store ${redactUrl(g.storeUrl)} has no run_groups table: open it once with this modelwave version (migrations add it)`);
      }
      throw new ModelwaveError('MW_STORE_UNREACHABLE', `start barrier in ${redactUrl(g.storeUrl)} failed: ${(err as Error).message}`);
    }
    return new ShardBarrier(g, runId, client, localNowMs());
  }

  /**
   * Wait until every shard has registered and T0 is fixed, estimate the clock offset, and return t = 0 on this
   * machine's clock (localNowMs scale). Times out after barrierTimeoutMs from join → MW_BARRIER_TIMEOUT (exit 3).
   */
  async waitForStart(): Promise<number> {
    const { name } = this.g;
    const { index, count } = this.g.shard;
    let t0ServerMs: number | undefined;
    for (;;) {
      const owner = (await this.client.query<{ run_id: string }>('SELECT run_id FROM run_group_shards WHERE group_name = $1 AND shard = $2', [name, index])).rows[0];
      if (owner?.run_id !== this.runId) {
        throw usageError(`run group ${name}: another process registered as shard ${index}/${count}; this one stops without sending`, ['Start each shard index once per run group.']);
      }
      t0ServerMs = await this.tryFixT0();
      if (t0ServerMs !== undefined) break;
      if (localNowMs() - this.joinedAtMs >= this.g.barrierTimeoutMs) {
        t0ServerMs = await this.leaveOnTimeout();
        if (t0ServerMs !== undefined) break; // fixed by another shard at the last moment: this one is part of it
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const clock = await this.measureClock();
    const epochLocalMs = t0ServerMs - clock.offsetMs;
    const startSkewMs = Math.max(0, localNowMs() - epochLocalMs);
    this.start = { epochLocalMs, t0ServerMs, clock, startSkewMs };
    this.pending = this.client
      .query(
        `UPDATE run_group_shards SET status = 'started', clock_offset_ms = $3, clock_uncertainty_ms = $4, start_skew_ms = $5
         WHERE group_name = $1 AND shard = $2`,
        [name, index, clock.offsetMs, clock.uncertaintyMs, startSkewMs],
      )
      .catch(() => undefined);
    return epochLocalMs;
  }

  /** T0 (server ms) if fixed, fixing it when all shards are registered; undefined while some are missing. */
  private async tryFixT0(): Promise<number | undefined> {
    const c = this.client;
    await c.query('BEGIN');
    try {
      await c.query(LOCK_SQL, [this.g.name]);
      const r = await c.query<{ t0: number | null }>(
        `UPDATE run_groups SET start_at = coalesce(start_at, clock_timestamp() + make_interval(secs => start_margin_ms / 1000.0))
         WHERE name = $1 AND (start_at IS NOT NULL OR
           (SELECT count(*) FROM run_group_shards WHERE group_name = $1 AND status = 'registered') = shards)
         RETURNING (extract(epoch FROM start_at) * 1000)::float8 AS t0`,
        [this.g.name],
      );
      await c.query('COMMIT');
      return r.rows[0]?.t0 ?? undefined;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Leave the barrier (under the lock, so T0 cannot be fixed with this shard counted) and throw; or T0 if it was fixed. */
  private async leaveOnTimeout(): Promise<number | undefined> {
    const c = this.client;
    const { name, barrierTimeoutMs } = this.g;
    const { index, count } = this.g.shard;
    let present: number[] = [];
    await c.query('BEGIN');
    try {
      await c.query(LOCK_SQL, [name]);
      const t0 = (await c.query<{ t0: number | null }>('SELECT (extract(epoch FROM start_at) * 1000)::float8 AS t0 FROM run_groups WHERE name = $1', [name])).rows[0]?.t0;
      if (t0 != null) {
        await c.query('COMMIT');
        return t0;
      }
      present = (await c.query<{ shard: number }>("SELECT shard FROM run_group_shards WHERE group_name = $1 AND status = 'registered' ORDER BY shard", [name])).rows.map((r) => r.shard);
      await c.query(
        "UPDATE run_group_shards SET status = 'timed-out', error = $3, ended_at = clock_timestamp() WHERE group_name = $1 AND shard = $2",
        [name, index, `start barrier timed out after ${barrierTimeoutMs} ms`],
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.includes(i));
    throw new ModelwaveError(
      'MW_BARRIER_TIMEOUT',
      `run group ${name}: start barrier timed out after ${fmtMs(barrierTimeoutMs)} with ${present.length} of ${count} shards registered (missing: ${missing.join(', ')}); nothing was sent`,
      [
        'Check that every shard started (kubectl get pods -l job-name=…) and uses the same --run-group and shard count.',
        'Rerun the whole group under a new --run-group name; raise --barrier-timeout if pods take long to be scheduled.',
      ],
    );
  }

  /** CLOCK_SAMPLES round trips to the server; min-RTT estimate (clock.ts). */
  async measureClock(samples = CLOCK_SAMPLES): Promise<ClockOffset> {
    const out: ClockSample[] = [];
    for (let i = 0; i < samples; i++) {
      const tSendMs = localNowMs();
      const r = await this.client.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms');
      const tRecvMs = localNowMs();
      out.push({ tSendMs, serverMs: r.rows[0].ms, tRecvMs });
    }
    return estimateOffset(out);
  }

  /**
   * The shard's end: its run's status (completed, interrupted, failed), error and CPU time (ms, user + system, of
   * this process). Never throws.
   */
  async finish(status: string, error?: string, cpuMs?: number): Promise<void> {
    await this.pending;
    await this.client
      .query('UPDATE run_group_shards SET status = $3, error = $4, cpu_ms = $6, ended_at = clock_timestamp() WHERE group_name = $1 AND shard = $2 AND run_id = $5', [
        this.g.name,
        this.g.shard.index,
        status,
        error ?? null,
        this.runId,
        cpuMs ?? null,
      ])
      .catch(() => undefined);
  }

  /**
   * After finish(): true for exactly one shard — the first to see every shard registered and none still running —
   * which then merges the group. (Each shard claims only after committing its own status, so the last to commit
   * always sees every status: at least one claim succeeds, and the row lock lets only one.) Never throws.
   */
  async claimMerge(): Promise<boolean> {
    const r = await this.client
      .query(
        `UPDATE run_groups SET merged_by = $2 WHERE name = $1 AND merged_by IS NULL
           AND (SELECT count(*) FROM run_group_shards WHERE group_name = $1) = shards
           AND NOT EXISTS (SELECT 1 FROM run_group_shards WHERE group_name = $1 AND status IN ('registered', 'started'))
         RETURNING name`,
        [this.g.name, this.runId],
      )
      .catch(() => ({ rowCount: 0 }));
    return (r.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.pending;
    await this.client.end().catch(() => undefined);
  }
}

function fmtMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
