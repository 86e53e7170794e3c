import type { Command } from 'commander';
import { action } from './exit.js';
import { usageError } from '../errors.js';

interface MergeFlags {
  store?: string;
  out?: string;
  report?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge the shards of a distributed run (--shard/--run-group) into one report; exit code from the merged thresholds')
    .argument('<group>', 'the --run-group name the shards ran with')
    .option('--store <url>', 'the shared Postgres store: postgres://… (default $MODELWAVE_STORE)')
    .option('--out <dir>', 'report folder (default reports/<group>)')
    .option('--report <formats>', 'report files to write: json,md,html,junit,hgrm (default all); group.md and group.json always')
    .option('--json', 'print the merged report.json to stdout instead of the summary table')
    .option('--quiet', 'no summary table')
    .action(
      action(async (name: string, f: MergeFlags) => {
        const url = f.store ?? process.env.MODELWAVE_STORE;
        if (!url) throw usageError('merge needs --store postgres://… (or MODELWAVE_STORE): the store the shards ran with');
        if (!/^postgres(ql)?:\/\//i.test(url)) throw usageError('merge needs a Postgres store (--store postgres://…): run groups live only there');
        const { parseReportFormats } = await import('../report/write.js');
        const formats = f.report ? parseReportFormats(f.report) : undefined;
        const { mergeGroup, renderGroupTable, writeMergedReports, mergedExitCode } = await import('../distributed/merge.js');
        const { renderTerminalSummary } = await import('../report/terminal.js');
        const path = await import('node:path');
        const merged = await mergeGroup(url, name);
        const { summary, group } = merged;
        const dir = f.out ?? path.join('reports', name);
        await writeMergedReports(merged, dir, formats);
        if (f.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else if (!f.quiet) {
          process.stdout.write(renderTerminalSummary(summary, { color: Boolean(process.stdout.isTTY) }));
          process.stdout.write(`\n${renderGroupTable(group)}\nreports: ${dir}\n`);
        }
        if (group.verdict === 'INVALID') process.stderr.write(`modelwave: run group ${name} is INVALID: ${group.problems.join('; ')}\n`);
        return mergedExitCode(merged);
      }),
    );
}
