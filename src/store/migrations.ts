// Versioned schema migrations, applied on open. Append new migrations; never edit an applied one.
//
// Design notes (the schema is documented here because users query it directly):
// - Times in `requests` are double precision µs since the run start (the engine's clock), NULL when there is none
//   (a dropped request was never sent). latency_us (from the intended send time: no coordinated omission) and
//   service_us (from the actual send) are generated columns, so they cannot disagree with the raw times.
// - outcome and error_code are smallints (the indexes of OUTCOME_NAMES and ERROR_CODES); the `outcomes` and
//   `error_codes` lookup tables and the `request_view` view give their names.
// - With rowsPerRequest = 1, prediction/probability/label hold the row's values; with rowsPerRequest > 1 they are
//   NULL and predictions/probabilities/labels hold one element per row (one row per request keeps (run_id, seq)
//   the key and the table size proportional to requests, not rows). NaN from the engine is stored as NULL.
// - runs.status: running, completed, interrupted, failed (reason in runs.error), incomplete (the store lacks some of
//   the run's records; they are in the spool named in summary.store.spoolPath). Reads show a `running` row whose
//   heartbeat_at is stale as `abandoned` (see RUN_STATUS_SQL in ./sql.ts).
// - No foreign keys from requests to runs: rows may arrive (from a spool) before their run, and bulk ingest stays
//   cheap. Deleting a run means deleting from every table by run_id.
import { ERROR_CODES, OUTCOME_NAMES } from '../engine/types.js';
import type { DbSession, LocalDb } from './db.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'runs, requests, windows, feedback',
    sql: `
CREATE TABLE runs (
  id text PRIMARY KEY,
  name text NOT NULL,
  scenario jsonb,
  environment jsonb,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  status text NOT NULL DEFAULT 'running',
  summary jsonb
);
CREATE INDEX runs_started_at_idx ON runs (started_at DESC);

CREATE TABLE outcomes (code smallint PRIMARY KEY, name text NOT NULL);
CREATE TABLE error_codes (code smallint PRIMARY KEY, name text NOT NULL);

CREATE TABLE requests (
  run_id text NOT NULL,
  seq bigint NOT NULL,
  target smallint NOT NULL DEFAULT 0,
  phase smallint NOT NULL,
  worker smallint NOT NULL,
  window_index integer NOT NULL,
  intended_us double precision NOT NULL,
  sent_us double precision,
  received_us double precision,
  latency_us double precision GENERATED ALWAYS AS (received_us - intended_us) STORED,
  service_us double precision GENERATED ALWAYS AS (received_us - sent_us) STORED,
  outcome smallint NOT NULL,
  status_code smallint,
  error_code smallint NOT NULL DEFAULT 0,
  uuid text,
  prediction double precision,
  probability double precision,
  label double precision,
  predictions double precision[],
  probabilities double precision[],
  labels double precision[],
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX requests_uuid_idx ON requests (uuid) WHERE uuid IS NOT NULL;

CREATE TABLE windows (
  run_id text NOT NULL,
  window_index integer NOT NULL,
  seq_start bigint,
  seq_end bigint,
  start_at timestamptz,
  end_at timestamptz,
  start_ms double precision,
  end_ms double precision,
  scheduled integer NOT NULL,
  sent integer NOT NULL,
  ok integer NOT NULL,
  http_errors integer NOT NULL,
  timeouts integer NOT NULL,
  connection_errors integer NOT NULL,
  bad_responses integer NOT NULL,
  dropped integer NOT NULL,
  rps double precision,
  latency_p50_ms double precision,
  latency_p99_ms double precision,
  latency jsonb,
  latency_histogram text,
  accuracy double precision,
  quality jsonb,
  PRIMARY KEY (run_id, window_index)
);

CREATE TABLE feedback (
  run_id text NOT NULL,
  uuid text NOT NULL,
  seq bigint NOT NULL,
  label text,
  posted_at timestamptz,
  outcome text,
  PRIMARY KEY (run_id, uuid, seq)
);
CREATE INDEX feedback_uuid_idx ON feedback (uuid);

CREATE VIEW request_view AS
  SELECT r.*, o.name AS outcome_name, e.name AS error_name
  FROM requests r
  LEFT JOIN outcomes o ON o.code = r.outcome
  LEFT JOIN error_codes e ON e.code = r.error_code;
`,
  },
  {
    // A run row is never left `running` by a run that ended: `failed` carries its reason in `error`; a run whose
    // store lacked records at the end is `incomplete` (summary.store.spoolPath says where they are). A process that
    // died hard cannot say so: it stops beating, and a `running` row without a recent heartbeat reads as `abandoned`.
    version: 2,
    name: 'runs: error, heartbeat',
    sql: `
ALTER TABLE runs ADD COLUMN error text;
ALTER TABLE runs ADD COLUMN heartbeat_at timestamptz;
`,
  },
  {
    // Latency is reported per population (summary/types.ts LatencyPopulations): windows.latency, latency_p50_ms,
    // latency_p99_ms and latency_histogram hold successful requests (since report schema 2); these hold the failed
    // ones and all sent ones. NULL for windows stored before.
    version: 3,
    name: 'windows: latency of failed and of all requests',
    sql: `
ALTER TABLE windows ADD COLUMN latency_failed jsonb;
ALTER TABLE windows ADD COLUMN latency_all jsonb;
`,
  },
  {
    // Distributed runs (src/distributed): shards of one scenario meet here (the start barrier) and are merged from
    // here. run_groups.start_at is T0 on the database server's clock, fixed once by whichever shard first sees all N
    // registered; scenario is what `merge` needs to rebuild the group's summary (no secrets: load, windows, labels,
    // thresholds, the redacted scenario), fingerprint a hash every shard's scenario must match.
    // run_group_shards.status: registered → started → completed | interrupted | failed; timed-out (left the barrier).
    // run_groups.merged_by: the run id of the last shard to finish, which merged the group (once).
    version: 4,
    name: 'run groups: start barrier, shards, clock offsets',
    sql: `
CREATE TABLE run_groups (
  name text PRIMARY KEY,
  shards integer NOT NULL,
  fingerprint text NOT NULL,
  scenario jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  start_at timestamptz,
  start_margin_ms integer NOT NULL,
  merged_by text
);
CREATE TABLE run_group_shards (
  group_name text NOT NULL,
  shard integer NOT NULL,
  run_id text NOT NULL,
  host text,
  registered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  status text NOT NULL DEFAULT 'registered',
  clock_offset_ms double precision,
  clock_uncertainty_ms double precision,
  start_skew_ms double precision,
  cpu_ms double precision,
  ended_at timestamptz,
  error text,
  PRIMARY KEY (group_name, shard)
);
`,
  },
];

/** Arbitrary constant: the advisory lock every modelwave process takes around migrations. */
const MIGRATION_LOCK_KEY = 7_306_233_901;

/**
 * Apply pending migrations under a session-level advisory lock, so several processes opening the same database at
 * once apply each migration exactly once (the others wait, then find nothing to do). Returns versions applied.
 */
export async function migrate(db: LocalDb): Promise<number[]> {
  return db.session(async (s) => {
    await s.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await s.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set(
        (await s.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
      );
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await inTransaction(s, `${m.sql};\nINSERT INTO schema_migrations (version, name) VALUES (${m.version}, ${quote(m.name)});`);
        applied.push(m.version);
      }
      await syncLookups(s);
      return applied;
    } finally {
      await s.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function inTransaction(s: DbSession, sql: string): Promise<void> {
  try {
    await s.exec(`BEGIN;\n${sql}\nCOMMIT;`);
  } catch (err) {
    await s.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Lookup names follow the code's lists, so a new error code needs no migration. */
async function syncLookups(s: DbSession): Promise<void> {
  const upsert = (table: string) =>
    `INSERT INTO ${table} (code, name) SELECT * FROM unnest($1::smallint[], $2::text[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name WHERE ${table}.name <> EXCLUDED.name`;
  const codes = (names: readonly string[]) => [names.map((_, i) => i), [...names]];
  await s.query(upsert('outcomes'), codes(OUTCOME_NAMES));
  await s.query(upsert('error_codes'), codes(ERROR_CODES));
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
