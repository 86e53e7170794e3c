import type { Command } from 'commander';
import { EXIT } from '../../errors.js';
import { action, reportError } from '../exit.js';
import { loadScenario } from '../../scenario/load.js';
import { describeScenario } from '../../scenario/describe.js';
import { scenarioJsonSchema } from '../../scenario/schema.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check scenario files: print a summary and exit 0, or every problem (file:line:col) and exit 2')
    .argument('<files...>', 'scenario file(s), YAML or JSON')
    .action(
      action(async (files: string[]) => {
        let code: number = EXIT.ok;
        files.forEach((file, i) => {
          try {
            process.stdout.write(`${i ? '\n' : ''}${describeScenario(loadScenario(file), file)}\nvalid.\n`);
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
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
