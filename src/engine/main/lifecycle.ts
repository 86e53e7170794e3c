// How the main thread waits on its workers without ever waiting forever: a worker's failure arrives as a coded
// error (whatever it threw, however it crossed the thread boundary), a stop request as a promise, and every wait
// after a stop has a deadline.
import { ModelwaveError, reviveError } from '../../errors.js';
import type { WorkerOutcome } from '../task.js';

/** After a stop (Ctrl-C, a failed worker), workers get the request timeout plus this long to ship their last records. */
export const STOP_GRACE_MS = 5_000;
/** After a completed wave, delayed feedback labels still queued get this long to be posted. */
export const FEEDBACK_DRAIN_MS = 60_000;

/** Settles with the first failure among the workers' tasks (an outcome with an error, or a rejected task). */
export function firstFailure(tasks: readonly Promise<WorkerOutcome>[]): Promise<ModelwaveError> {
  return new Promise((resolve) => {
    for (const t of tasks) {
      t.then(
        (o) => {
          if (!o.ok) resolve(reviveError(o.error));
        },
        // A worker thread that died outright (out of memory, terminated): Piscina rejects with whatever it has.
        (err: unknown) => resolve(reviveError(err, 'a load worker')),
      );
    }
  });
}

/** Resolves when `signal` aborts (never, without a signal). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `p`, or `undefined` once `ms` have passed without it settling (its rejection is then ignored). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    // Cleared as soon as `p` settles: a pending deadline must not hold the process open after the run.
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
