// The load workers as the main thread holds them: a Piscina pool of W threads with one MessageChannel each, the
// shared state they coordinate through (task.ts: phase counters and ends, the stop flag, the data-end flag), and the
// messages they send back (ready, batch, done). The run (run.ts) decides when to start, stop and give up.
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { LoadPlan } from '../../schedule/plan.js';
import type { Scenario } from '../../spec/types.js';
import { dataEndIndex, sharedSlots, stopIndex, type BatchMessage, type HttpTarget, type ShardSlice, type WorkerMessage, type WorkerOutcome, type WorkerTask } from '../task.js';
import { packageFile } from '../../util/package-files.js';
import { within } from './lifecycle.js';
import type { PhaseEnds } from './phase-timings.js';

export class Workers {
  /** Each worker's task: resolves with its outcome (errors as data, with their code). */
  readonly tasks: Promise<WorkerOutcome>[];
  /** Resolves once every worker is ready (connections open, JIT warm) and waits for `go`. */
  readonly allReady: Promise<void>;
  /** Per worker: requests in flight at its last batch. */
  readonly inFlight: number[];
  private readonly pool: Piscina;
  private readonly channels: MessageChannel[];
  private readonly counters: Int32Array;
  private readonly endUs: BigInt64Array;
  private readonly ready: Int32Array;
  private readonly stopAt: number;
  private readonly dataEndAt: number;
  /** Resolves once every worker said `done` (each sends it after its last batch). */
  private readonly allDone: Promise<void>;
  private destroyed = false;

  constructor(
    readonly count: number,
    s: Scenario,
    plan: LoadPlan,
    targets: HttpTarget[],
    shard: ShardSlice | undefined,
    onBatch: (m: BatchMessage) => void,
  ) {
    const phases = s.load.phases.length;
    const counters = new SharedArrayBuffer(4 * sharedSlots(phases));
    const endUs = new SharedArrayBuffer(8 * sharedSlots(phases));
    const ready = new SharedArrayBuffer(4 * phases);
    this.counters = new Int32Array(counters);
    this.endUs = new BigInt64Array(endUs);
    this.ready = new Int32Array(ready);
    this.stopAt = stopIndex(phases);
    this.dataEndAt = dataEndIndex(phases);
    this.inFlight = new Array<number>(count).fill(0);
    this.pool = new Piscina({
      filename: packageFile('dist/src/engine/worker/worker.js').href,
      minThreads: count,
      maxThreads: count,
      idleTimeout: 1000,
      concurrentTasksPerWorker: 1,
    });
    this.channels = Array.from({ length: count }, () => new MessageChannel());
    let readyCount = 0;
    let doneCount = 0;
    let resolveReady!: () => void;
    let resolveDone!: () => void;
    this.allReady = new Promise<void>((r) => (resolveReady = r));
    this.allDone = new Promise<void>((r) => (resolveDone = r));
    this.channels.forEach((ch, w) =>
      ch.port1.on('message', (m: WorkerMessage) => {
        if (m.type === 'batch') {
          this.inFlight[w] = m.inFlight;
          onBatch(m);
        } else if (m.type === 'ready') {
          if (++readyCount === count) resolveReady();
        } else if (++doneCount === count) resolveDone();
      }),
    );
    this.tasks = this.channels.map((ch, w): Promise<WorkerOutcome> => {
      const task: WorkerTask = {
        workerIndex: w,
        workerCount: count,
        scenario: s,
        plan,
        targets,
        counters,
        endUs,
        ready,
        port: ch.port2,
        flushMs: 100,
        ...(shard && { shard }),
      };
      return this.pool.run(task, { transferList: [ch.port2] }) as Promise<WorkerOutcome>;
    });
  }

  /** t = 0 of the run, as performance.timeOrigin + performance.now() (ms), to every worker. */
  go(epochMs: number): void {
    for (const ch of this.channels) ch.port1.postMessage({ type: 'go', epochMs });
  }

  get stopped(): boolean {
    return Atomics.load(this.counters, this.stopAt) !== 0;
  }

  /** Raise the stop flag: no new requests; in-flight ones finish (up to their timeout). */
  stop(): void {
    Atomics.store(this.counters, this.stopAt, 1);
  }

  /** When a replayed source with `atEnd: stop` ran out (µs since t = 0), or undefined. */
  dataEndUs(): number | undefined {
    return Atomics.load(this.counters, this.dataEndAt) !== 0 ? Number(this.endUs[this.dataEndAt]) : undefined;
  }

  /** Where each phase ended, as the workers ended them. */
  phaseEnds(): PhaseEnds {
    return { endUs: this.endUs, ready: this.ready };
  }

  /** Let the last port messages (sent before each task resolved) arrive: each worker ends with `done`. At most `ms`. */
  async lastMessages(ms: number): Promise<void> {
    await within(this.allDone, ms);
  }

  /** Close the channels and terminate any worker still running (one stuck past its deadline included). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ch of this.channels) ch.port1.close();
    await this.pool.destroy().catch(() => {});
  }
}
