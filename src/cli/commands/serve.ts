import type { Command } from 'commander';
import { action } from '../exit.js';
import { usageError } from '../../errors.js';
import { SELF_WARMUP_REQUESTS, startReferenceServer } from '../../server/reference.js';
import { parseInjectionFlags } from '../../server/inject.js';

interface ServeFlags {
  model: string;
  port: string;
  host: string;
  latency?: string;
  errorRate?: string;
  stall?: string;
  resetRate?: string;
  garbageRate?: string;
  seed?: string;
  warmup: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the built-in reference model server (every protocol, injectable faults) until Ctrl-C.')
    .option('--model <model>', 'telco@v1, telco@v2, echo:FIELD or constant:VALUE', 'telco@v1')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency <time>', 'added latency per answer: 10ms, or a uniform range 5ms..20ms')
    .option('--error-rate <fraction>', 'fraction of requests answered 500, e.g. 0.05 or 5%')
    .option('--stall <D/P>', 'pause answers for D every P, e.g. 500ms/2s')
    .option('--reset-rate <fraction>', 'fraction of requests whose connection is reset without an answer')
    .option('--garbage-rate <fraction>', 'fraction of requests answered 200 with a non-JSON body')
    .option('--seed <n>', 'seed of the fault-injection random numbers', '1')
    .option('--no-warmup', `do not send itself ${SELF_WARMUP_REQUESTS.toLocaleString('en-US')} requests before reporting ready (its first second is then the JIT's)`)
    .addHelpText('after', '\nPrints {"listening":"http://HOST:PORT","model":"..."} as its first stdout line. Paths: /model, /invocations,\n/v1/models/telco:predict, /v2/models/telco/infer, /template, /feedback, /stats, /health.')
    .action(
      action(async (flags: ServeFlags) => {
        const port = Number(flags.port);
        if (!/^\d+$/.test(flags.port) || port > 65535) throw usageError(`--port must be an integer from 0 to 65535 (got ${flags.port})`);
        const inject = parseInjectionFlags(flags);
        const server = await startReferenceServer({
          ...inject,
          model: flags.model,
          port,
          host: flags.host,
          warmupRequests: flags.warmup ? SELF_WARMUP_REQUESTS : 0,
        });
        process.stdout.write(JSON.stringify({ listening: server.url, model: server.model }) + '\n');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        return 0;
      }),
    );
}
