import type { Command } from 'commander';
import { action } from './exit.js';
import { usageError } from '../errors.js';
import { SELF_WARMUP_REQUESTS, SELF_WARMUP_REQUESTS_TEXT } from '../server/self-warmup.js';
import { STRICT_NAMES, isStrictName } from '../server/strict/names.js';

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
  strict?: string;
  strictConfig?: string;
  slots?: string;
}

/** Flags of the lenient reference server that a strict server has no use for. */
const REFERENCE_ONLY = ['model', 'slots', 'latency', 'errorRate', 'stall', 'resetRate', 'garbageRate', 'seed'] as const;

// Called before the listening line is printed: a parent that reads the line and sends SIGTERM at once must find the
// handler installed, or the signal's default action kills the server without a clean close.
const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the built-in reference model server (every protocol, injectable faults) until Ctrl-C.')
    .option('--model <model>', 'telco@v1, telco@v2, echo:FIELD or constant:VALUE', 'telco@v1')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency <time>', 'added latency per answer: 10ms, or a uniform range 5ms..20ms')
    .option('--slots <k>', 'answer at most K requests at once, the rest queue in order; with --latency S the capacity is K/S req/s')
    .option('--error-rate <fraction>', 'fraction of requests answered 500, e.g. 0.05 or 5%')
    .option('--stall <D/P>', 'pause answers for D every P, e.g. 500ms/2s')
    .option('--reset-rate <fraction>', 'fraction of requests whose connection is reset without an answer')
    .option('--garbage-rate <fraction>', 'fraction of requests answered 200 with a non-JSON body')
    .option('--seed <n>', 'seed of the fault-injection random numbers', '1')
    .option('--no-warmup', `do not send itself ${SELF_WARMUP_REQUESTS_TEXT} requests before reporting ready (its first second is then the JIT's)`)
    .option('--strict <name>', `a strict stand-in for a real server, accepting only what it accepts: ${STRICT_NAMES.join(', ')}`)
    .option('--strict-config <file>', 'JSON: the strict server\'s model (features, classes, rule, output) and server facts (docs/strict-servers.md)')
    .addHelpText('after', '\nPrints {"listening":"http://HOST:PORT","model":"..."} as its first stdout line. Paths: /model, /invocations,\n/v1/models/telco:predict, /v2/models/telco/infer, /template, /feedback, /stats, /health.')
    .action(
      action(async (flags: ServeFlags, cmd: Command) => {
        const port = Number(flags.port);
        if (!/^\d+$/.test(flags.port) || port > 65535) throw usageError(`--port must be an integer from 0 to 65535 (got ${flags.port})`);
        if (flags.strict !== undefined || flags.strictConfig !== undefined) {
          if (flags.strict === undefined) throw usageError('--strict-config needs --strict NAME');
          if (!isStrictName(flags.strict)) throw usageError(`--strict must be one of ${STRICT_NAMES.join(', ')} (got ${JSON.stringify(flags.strict)})`);
          const extra = REFERENCE_ONLY.find((f) => cmd.getOptionValueSource(f) === 'cli');
          if (extra) throw usageError(`--${extra.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to the reference server, not to --strict`);
          // Loaded only here: the reference server (every `builtin:` run starts one) must not pay for zod and seven servers.
          const { startStrictServer } = await import('../server/strict/registry.js');
          const server = await startStrictServer(flags.strict, { configFile: flags.strictConfig, host: flags.host, port });
          const stopped = untilSignal();
          process.stdout.write(JSON.stringify({ listening: server.url, strict: server.name, model: server.config.model.name, paths: server.paths }) + '\n');
          await stopped;
          await server.close();
          return 0;
        }
        // Loaded here, not at the top: every other command (and every `builtin:` run's child) would pay for the server.
        const { parseInjectionFlags } = await import('../server/inject.js');
        const { startReferenceServer } = await import('../server/reference.js');
        const inject = parseInjectionFlags(flags);
        if (flags.slots !== undefined && !/^[1-9]\d{0,6}$/.test(flags.slots)) throw usageError(`--slots must be a positive integer (got ${flags.slots})`);
        if (flags.slots !== undefined && !inject.latencyMs?.max) throw usageError('--slots needs --latency (the service time of each request in a slot), e.g. --slots 4 --latency 50ms');
        const server = await startReferenceServer({
          ...inject,
          model: flags.model,
          port,
          host: flags.host,
          warmupRequests: flags.warmup ? SELF_WARMUP_REQUESTS : 0,
          ...(flags.slots !== undefined ? { slots: Number(flags.slots) } : {}),
        });
        const stopped = untilSignal();
        process.stdout.write(JSON.stringify({ listening: server.url, model: server.model }) + '\n');
        await stopped;
        await server.close();
        return 0;
      }),
    );
}
