#!/usr/bin/env -S node --max-semi-space-size=2
// The CLI is wiring only: each command lives in ./commands/<name>.ts and calls the library.
// --max-semi-space-size=2 (here, in `npm start` and in the benchmarks: V8 only takes it at process start): the main
// thread receives every record batch and keeps little of it; with V8's default semi-spaces (up to 16 MB each) its
// young generation swelled during a run, and peak RSS with it — 138 MB vs 113 MB for a 2M-request closed loop at
// equal throughput (bench/RESULTS.md).
import { Command, CommanderError } from 'commander';
import { EXIT } from '../errors.js';
import { VERSION } from '../version.js';
import { register as registerValidate } from './validate.js';
import { register as registerServe } from './serve.js';
import { register as registerRun } from './run.js';
import { register as registerStore } from './store.js';
import { register as registerCompare } from './compare.js';
import { register as registerCapacity } from './capacity.js';
import { register as registerMerge } from './merge.js';

// `modelwave runs | head`: a closed pipe is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command();
program
  .name('modelwave')
  .description('Load-test ML model endpoints: latency without coordinated omission, accuracy against ground truth, paired A/B comparison.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(`modelwave: ${str.replace(/^error: /, '')}`) });

registerValidate(program);
registerServe(program);
registerRun(program);
registerStore(program);
registerCompare(program);
registerCapacity(program);
registerMerge(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; every other commander error is bad usage.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    throw err;
  }
}
