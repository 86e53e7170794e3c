// One shard's part in a distributed run, as src/run.ts sees it: join the group before the wave, hand the engine its
// slice of the schedule and the start gate, and record how the shard ended.
import type { RunOptions } from '../engine/main/run.js';
import type { Scenario } from '../spec/types.js';
import { ShardBarrier } from './barrier.js';
import { fingerprintOf, groupScenarioOf } from './group.js';
import { checkShardable, type GroupSpec } from './shard.js';

export class GroupParticipation {
  private cpuAtStart?: NodeJS.CpuUsage;
  private constructor(
    readonly group: GroupSpec,
    private readonly barrier: ShardBarrier,
    private readonly notices: NodeJS.WritableStream,
  ) {}

  /** Check the scenario can be sharded, then register at the barrier (see barrier.ts for what can fail). */
  static async join(g: GroupSpec, runId: string, s: Scenario, notices: NodeJS.WritableStream): Promise<GroupParticipation> {
    checkShardable(s);
    return new GroupParticipation(g, await ShardBarrier.join(g, runId, groupScenarioOf(s), fingerprintOf(s)), notices);
  }

  /** The engine options that make this process shard I of N, starting at the group's T0. */
  runOptions(): Required<Pick<RunOptions, 'shard' | 'startGate'>> {
    return {
      shard: this.group.shard,
      startGate: async () => {
        const { name, shard, barrierTimeoutMs } = this.group;
        this.notices.write(`shard ${shard.index}/${shard.count} of run group ${name}: waiting for the other shards (up to ${Math.round(barrierTimeoutMs / 1000)} s)\n`);
        const epoch = await this.barrier.waitForStart();
        this.cpuAtStart = process.cpuUsage();
        const st = this.barrier.start!;
        this.notices.write(
          `run group ${name}: all ${shard.count} shards registered; starting at ${new Date(st.t0ServerMs).toISOString()} (clock offset ${st.clock.offsetMs.toFixed(3)} ms ± ${st.clock.uncertaintyMs.toFixed(3)} ms${st.startSkewMs > 0 ? `, ${st.startSkewMs.toFixed(1)} ms late` : ''})\n`,
        );
        return epoch;
      },
    };
  }

  /**
   * The shard's run ended with a summary (status completed, interrupted or failed): record it, and return true when
   * this is the last shard to finish (it then merges the group: mergeInto). Never throws.
   */
  async ended(status: string, error?: string): Promise<boolean> {
    const cpu = process.cpuUsage(this.cpuAtStart);
    await this.barrier.finish(status, error, (cpu.user + cpu.system) / 1000);
    const last = await this.barrier.claimMerge();
    await this.barrier.close();
    return last;
  }

  /** What a shard that does not merge tells the user about its thresholds. */
  notice(): string {
    const { name, shard } = this.group;
    return `shard ${shard.index}/${shard.count} of run group ${name}: thresholds are judged on the merged group (the last shard to finish merges it; or \`modelwave merge ${name} --store …\`)\n`;
  }

  /**
   * Merge the group (the last shard to finish does it, like `modelwave merge`) into `dir`, tell the user (one line
   * to `out`; the merged summary and per-shard table to `summaryOut` when given), and return
   * the group's exit code (1 when INVALID or a merged threshold fails). A merge that fails is reported, not thrown:
   * the shard's own run is stored, and `modelwave merge` can redo it.
   */
  async mergeInto(dir: string, out: NodeJS.WritableStream, summaryOut?: NodeJS.WritableStream): Promise<number> {
    const { mergeGroup, mergedExitCode, renderGroupTable, writeMergedReports } = await import('./merge.js');
    const name = this.group.name;
    try {
      const r = await mergeGroup(this.group.storeUrl, name);
      await writeMergedReports(r, dir);
      if (summaryOut) {
        const { renderTerminalSummary } = await import('../report/terminal.js');
        summaryOut.write(`\nmerged run group ${name}:\n${renderTerminalSummary(r.summary, { color: false })}\n${renderGroupTable(r.group)}`);
      }
      const why = r.group.verdict === 'INVALID' ? `INVALID: ${r.group.problems.join('; ')}` : r.summary.thresholds.every((t) => t.pass) ? 'every merged threshold held' : 'a merged threshold failed';
      out.write(`run group ${name}: all ${this.group.shard.count} shards finished; merged reports in ${dir} — ${why}\n`);
      return mergedExitCode(r);
    } catch (err) {
      out.write(`run group ${name}: the automatic merge failed (${(err as Error).message}); run \`modelwave merge ${name} --store …\`\n`);
      return 1;
    }
  }

  /** The shard's run ended without a summary. A barrier timeout already left its mark (status timed-out). */
  async failed(err: unknown): Promise<void> {
    if ((err as { code?: string })?.code !== 'MW_BARRIER_TIMEOUT') await this.barrier.finish('failed', (err as Error)?.message ?? String(err));
    await this.barrier.close();
  }
}
