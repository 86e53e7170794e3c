// One shard's part in a distributed run, as src/run.ts sees it: join the group before the wave, hand the engine its
// slice of the schedule and the start gate, and record how the shard ended.
import type { RunOptions } from '../engine/run.js';
import type { Scenario } from '../scenario/types.js';
import { ShardBarrier } from './barrier.js';
import { fingerprintOf, groupScenarioOf } from './group.js';
import { checkShardable, type GroupSpec } from './shard.js';

export class GroupParticipation {
  private constructor(
    readonly group: GroupSpec,
    private readonly barrier: ShardBarrier,
  ) {}

  /** Check the scenario can be sharded, then register at the barrier (see barrier.ts for what can fail). */
  static async join(g: GroupSpec, runId: string, s: Scenario): Promise<GroupParticipation> {
    checkShardable(s);
    return new GroupParticipation(g, await ShardBarrier.join(g, runId, groupScenarioOf(s), fingerprintOf(s)));
  }

  /** The engine options that make this process shard I of N, starting at the group's T0. */
  runOptions(): Required<Pick<RunOptions, 'shard' | 'startGate'>> {
    return { shard: this.group.shard, startGate: () => this.barrier.waitForStart() };
  }

  /** The shard's run ended with a summary (status completed, interrupted or failed). Never throws. */
  async ended(status: string, error?: string): Promise<void> {
    await this.barrier.finish(status, error);
    await this.barrier.close();
  }

  /** The shard's run ended without a summary. A barrier timeout already left its mark (status timed-out). */
  async failed(err: unknown): Promise<void> {
    if ((err as { code?: string })?.code !== 'MW_BARRIER_TIMEOUT') await this.barrier.finish('failed', (err as Error)?.message ?? String(err));
    await this.barrier.close();
  }
}
