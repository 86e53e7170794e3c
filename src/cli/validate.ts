import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { action, reportError } from './exit.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check scenario files: print a summary and exit 0, or every problem (file:line:col) and exit 2')
    .argument('<files...>', 'scenario file(s), YAML or JSON')
    .action(
      action(async (files: string[]) => {
        // Loaded on use: zod and yaml would otherwise slow every command's start.
        const { loadScenario } = await import('../scenario/load.js');
        const { describeScenario } = await import('../scenario/describe.js');
        const { preflight } = await import('../engine/main/preflight.js');
        let code: number = EXIT.ok;
        files.forEach((file, i) => {
          try {
            const scenario = loadScenario(file);
            // Build what a load worker builds (every data row read, faker arguments tried): what the run would choke on.
            preflight(scenario, file);
            process.stdout.write(`${i ? '\n' : ''}${describeScenario(scenario, file)}\nvalid.\n`);
          } catch (err) {
            code = Math.max(code, reportError(err));
          }
        });
        return code;
      }),
    );
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor completion)')
    .action(
      action(async () => {
        const { scenarioJsonSchema } = await import('../scenario/schema.js');
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
