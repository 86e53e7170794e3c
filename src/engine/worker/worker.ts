// A Piscina worker: runs every phase of the run for its share of the schedule and streams records back in batches.
// Open loop: requests k ≡ workerIndex (mod workerCount) of each phase's arrival stream, latency measured from the
// intended send time. Closed loop: its share of the concurrency, sequence numbers from a shared atomic counter.
// The work is split in units, each in its own file: the open pump (open-pump.ts), the closed runner
// (closed-runner.ts), the exchange that builds, sends and completes a request (exchange.ts), the recorder that
// ships records (recorder.ts), over the shared run state (shared.ts). This file wires them and
// walks the phases.
// Hot path (bench/RESULTS.md has the numbers): no promise and no closure per request — the state of a request in
// flight lives in an `InFlight` object owned by its connection and reused (slots.ts); answers are stamped as they
// are read and processed after the loop's reads; a closed-loop slot then sends its next request at once; open-loop
// sends are pumped by a `Waker` (wake.ts) and after every round of answers.
import { performance } from 'node:perf_hooks';
import { serializeError } from '../../errors.js';
import { createRowGenerator } from '../../data/rows.js';
import { codecFor } from '../../codecs/index.js';
import type { Codec } from '../../codecs/types.js';
import type { RowGenerator } from '../../data/types.js';
import type { Scenario } from '../../spec/types.js';
import type { OpenPhasePlan } from '../../schedule/plan.js';
import { targetSecrets } from '../../scenario/redact.js';
import type { GoMessage, WorkerOutcome, WorkerTask } from '../task.js';
import { ClosedRunner } from './closed-runner.js';
import { Exchange } from './exchange.js';
import { OpenPump } from './open-pump.js';
import { Recorder } from './recorder.js';
import { RunState } from './shared.js';
import { prewarmCount, warmUpJit } from './warmup.js';

export class WorkerRun {
  private readonly s: Scenario;
  private readonly gen: RowGenerator;
  private readonly codec: Codec;
  private readonly state: RunState;
  private readonly recorder: Recorder;
  private readonly exchange: Exchange;
  private readonly openPump: OpenPump;
  private readonly closedRunner: ClosedRunner;
  private readonly capPerTarget: number;
  private rejectRun: (err: unknown) => void = () => {};
  /** Rejects with the first error thrown in this worker's callbacks (timers, socket reads), ending run(). */
  private readonly failed = new Promise<never>((_, reject) => (this.rejectRun = reject));

  constructor(private readonly t: WorkerTask) {
    const s = (this.s = t.scenario);
    this.gen = createRowGenerator(s);
    this.codec = codecFor(s, this.gen);
    this.state = new RunState(t);
    const shardIndex = t.shard?.index ?? 0;
    const shardCount = t.shard?.count ?? 1;
    // A shard holds its share of the in-flight cap: the group together holds the single-machine cap.
    this.capPerTarget = Math.max(1, Math.ceil(s.target.maxInFlight / (t.workerCount * shardCount)));
    const k = s.target.rowsPerRequest;
    /** Requests the data can fill: a replayed source with `atEnd: stop` runs out after this many; else Infinity. */
    const dataLimit = Number.isFinite(this.gen.size) ? Math.floor(this.gen.size / k) : Infinity;
    const inFlight = t.targets.map(() => 0);
    this.recorder = new Recorder(t, this.state, inFlight, targetSecrets(s.target));
    this.exchange = new Exchange(s, t.targets, this.gen, this.codec, this.capPerTarget, this.state, this.recorder, this.fail, inFlight);
    this.openPump = new OpenPump(this.state, this.exchange, t.plan.seed, shardIndex + shardCount * t.workerIndex, shardCount * t.workerCount, dataLimit, this.fail);
    this.exchange.afterAnswers = () => this.openPump.pumpIfDue();
    this.closedRunner = new ClosedRunner(this.state, this.exchange, t.workerIndex, t.workerCount, shardIndex, shardCount, dataLimit);
    this.failed.catch(() => {}); // observed by run(); never an unhandled rejection
  }

  /**
   * An error in a callback of this worker (row generation, encoding, a timer): stop sending and end run() with it.
   * Without this it would be an uncaught exception in the thread, and the main thread would wait for a worker that
   * never reports.
   */
  private readonly fail = (err: unknown): void => {
    if (this.state.halted) return;
    this.state.halted = true;
    this.rejectRun(err);
  };

  /** Report ready (generator and codec built) and wait for the common t = 0. */
  async start(): Promise<void> {
    const go = new Promise<GoMessage>((resolve) => this.t.port.once('message', (m: GoMessage) => resolve(m)));
    await this.exchange.prewarm(prewarmCount(this.s, this.t.workerCount, this.capPerTarget));
    // Stopped while connecting (Ctrl-C during start-up): skip the dry runs, the wave will not send anything.
    if (!this.state.stopped()) warmUpJit(this.gen, this.codec, this.s.target.rowsPerRequest);
    this.recorder.post({ type: 'ready', workerIndex: this.t.workerIndex });
    this.state.originMs = (await go).epochMs - performance.timeOrigin;
    this.recorder.startFlushing();
  }

  /** Every phase, then the in-flight drain; rejects with the first error of this worker (see fail()). */
  async run(): Promise<void> {
    try {
      await Promise.race([this.runPhases(), this.failed]);
    } finally {
      // On failure too: what was measured so far is shipped, so the main thread can still account for it.
      this.recorder.stopFlushing();
      this.openPump.cancel();
      this.recorder.flush();
      this.exchange.close();
      this.recorder.post({ type: 'done', workerIndex: this.t.workerIndex });
    }
  }

  private async runPhases(): Promise<void> {
    let base = 0;
    let startUs = 0;
    const phases = this.s.load.phases;
    for (let p = 0; p < phases.length && !this.state.stopped() && !this.state.dataEnded(); p++) {
      const ph = phases[p];
      const r =
        ph.kind === 'open'
          ? await this.openPump.run(this.t.plan.phases[p] as OpenPhasePlan, base, startUs)
          : await this.closedRunner.run(ph, p, base, startUs);
      base += r.count;
      startUs = r.endUs;
    }
    await this.exchange.drain();
  }
}

/**
 * The Piscina task. Never throws: an error (a bad data row, faker arguments, a bug) comes back as data with its
 * code, because an Error crossing Piscina arrives as a plain Error with its code and details lost.
 */
export default async function runWorker(task: WorkerTask): Promise<WorkerOutcome> {
  try {
    const w = new WorkerRun(task);
    await w.start();
    await w.run();
    return { ok: true, workerIndex: task.workerIndex };
  } catch (err) {
    return { ok: false, workerIndex: task.workerIndex, error: serializeError(err) };
  }
}
