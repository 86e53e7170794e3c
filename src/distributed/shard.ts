// Which shard of which group this process is: from flags (`--shard I/N --run-group NAME`) or from the environment a
// Kubernetes Indexed Job provides (JOB_COMPLETION_INDEX = I, plus MODELWAVE_SHARDS = N and MODELWAVE_RUN_GROUP), and
// the checks that make a group possible at all (a shared Postgres store, a schedule every shard can split the same way).
import { usageError } from '../errors.js';
import type { ShardSlice } from '../engine/task.js';
import type { Scenario } from '../spec/types.js';
import { parseDurationMs } from '../util/duration.js';

/** Default: how long a shard waits at the start barrier for the others (pods can take a while to be scheduled). */
export const DEFAULT_BARRIER_TIMEOUT_MS = 120_000;

export interface GroupSpec {
  shard: ShardSlice;
  /** Run-group name: the key every shard of one distributed run shares. */
  name: string;
  /** postgres://… of the shared store. */
  storeUrl: string;
  barrierTimeoutMs: number;
}

interface GroupFlags {
  shard?: string;
  runGroup?: string;
  barrierTimeout?: string;
  /** The --store value (string URL, false for --no-store, undefined when absent). */
  store?: string | boolean;
  storeOptional?: boolean;
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The group this run belongs to, or undefined for a single-machine run. Flags win over the environment. Bad or
 * incomplete input → MW_USAGE (exit 2) naming the flag or variable and the fix.
 */
export function resolveGroup(f: GroupFlags, env: NodeJS.ProcessEnv = process.env): GroupSpec | undefined {
  let shard: ShardSlice | undefined;
  let from = '--shard';
  if (f.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(f.shard.trim());
    if (!m) throw usageError(`--shard must look like I/N, e.g. 0/4 (got ${f.shard})`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  } else if (env.MODELWAVE_SHARDS !== undefined && env.MODELWAVE_SHARDS !== '') {
    from = 'JOB_COMPLETION_INDEX / MODELWAVE_SHARDS';
    const n = env.MODELWAVE_SHARDS;
    const i = env.JOB_COMPLETION_INDEX ?? env.MODELWAVE_SHARD_INDEX;
    if (!/^\d+$/.test(n)) throw usageError(`MODELWAVE_SHARDS must be a whole number of shards (got ${n})`);
    if (i === undefined || !/^\d+$/.test(i)) {
      throw usageError(`MODELWAVE_SHARDS=${n} needs this shard's index in JOB_COMPLETION_INDEX (set by an Indexed Job) or MODELWAVE_SHARD_INDEX (got ${i ?? 'nothing'})`);
    }
    shard = { index: Number(i), count: Number(n) };
  }
  const name = f.runGroup ?? env.MODELWAVE_RUN_GROUP;
  if (!shard) {
    if (f.runGroup !== undefined) throw usageError('--run-group needs --shard I/N (or JOB_COMPLETION_INDEX and MODELWAVE_SHARDS)');
    if (f.barrierTimeout !== undefined) throw usageError('--barrier-timeout needs --shard I/N');
    return undefined;
  }
  if (!(shard.count >= 1 && shard.count <= 1024)) throw usageError(`${from}: the shard count N must be between 1 and 1024 (got ${shard.count})`);
  if (shard.index >= shard.count) throw usageError(`${from}: shard index ${shard.index} must be below the shard count ${shard.count} (indexes run 0…${shard.count - 1})`);
  if (!name) throw usageError('--shard needs --run-group NAME (or MODELWAVE_RUN_GROUP): the name every shard of the run shares');
  if (!GROUP_NAME.test(name)) throw usageError(`--run-group must be 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`);
  const url = typeof f.store === 'string' ? f.store : f.store === false ? undefined : env.MODELWAVE_STORE;
  if (f.store === false) throw usageError('--shard cannot be used with --no-store: the shards meet and are merged in a shared Postgres store (--store postgres://…)');
  if (!url) throw usageError('--shard needs --store postgres://… (or MODELWAVE_STORE): the shards meet and are merged in a shared Postgres store');
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw usageError('--shard needs a Postgres store (--store postgres://…): an embedded store lives on one machine, so other shards cannot reach it');
  }
  if (f.storeOptional) throw usageError('--store-optional cannot be used with --shard: a shard that cannot reach the store cannot meet the others');
  let barrierTimeoutMs = DEFAULT_BARRIER_TIMEOUT_MS;
  if (f.barrierTimeout !== undefined) {
    try {
      barrierTimeoutMs = parseDurationMs(f.barrierTimeout);
    } catch {
      throw usageError(`--barrier-timeout must look like 500ms, 30s or 5m (got ${f.barrierTimeout})`);
    }
    if (!(barrierTimeoutMs > 0)) throw usageError(`--barrier-timeout must be positive (got ${f.barrierTimeout})`);
  }
  return { shard, name, storeUrl: url, barrierTimeoutMs };
}

/**
 * Whether every shard can follow the schedule the same way. Open phases split by sequence number with no coordination;
 * a closed phase's count is known only when it ends (per shard), so the sequence numbers of a phase after it could
 * not be agreed on: a closed phase must be the last.
 */
export function checkShardable(s: Pick<Scenario, 'load'>): void {
  const phases = s.load.phases;
  phases.forEach((p, i) => {
    if (p.kind === 'closed' && i < phases.length - 1) {
      throw usageError(
        `load.phases[${i}] (${p.name}) is closed loop and not the last phase: a sharded run cannot number the requests of the phases after it the same way on every shard`,
        ['Make the closed-loop phase the last one, or use open-loop phases (rate:) before it.'],
      );
    }
  });
}
