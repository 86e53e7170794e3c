import type { Command } from 'commander';
import { action } from '../exit.js';
import { loadScenario } from '../../scenario/load.js';
import { describeScenario } from '../../scenario/describe.js';
import { scenarioJsonSchema } from '../../scenario/schema.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file: print a summary and exit 0, or every problem (file:line:col) and exit 2')
    .argument('<files...>', 'scenario file(s), YAML or JSON')
    .action(
      action(async (files: string[]) => {
        const summaries = files.map((f) => `${describeScenario(loadScenario(f), f)}\nvalid.`);
        process.stdout.write(`${summaries.join('\n\n')}\n`);
      }),
    );
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion)')
    .action(
      action(async () => {
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
