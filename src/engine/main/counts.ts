// Request accounting: one small counter object per scope (total, phase, window, second).
import type { RequestCounts } from '../../summary/types.js';
import { Outcome } from '../types.js';

export function emptyCounts(): RequestCounts {
  return { scheduled: 0, sent: 0, ok: 0, httpErrors: 0, timeouts: 0, connectionErrors: 0, badResponses: 0, dropped: 0 };
}

export function countOutcome(c: RequestCounts, outcome: number): void {
  c.scheduled++;
  switch (outcome) {
    case Outcome.ok:
      c.ok++;
      c.sent++;
      break;
    case Outcome.httpError:
      c.httpErrors++;
      c.sent++;
      break;
    case Outcome.timeout:
      c.timeouts++;
      c.sent++;
      break;
    case Outcome.connectionError:
      c.connectionErrors++;
      c.sent++;
      break;
    case Outcome.badResponse:
      c.badResponses++;
      c.sent++;
      break;
    default:
      c.dropped++;
  }
}

export function addCounts(into: RequestCounts, c: RequestCounts): void {
  for (const k of Object.keys(into) as (keyof RequestCounts)[]) into[k] = (into[k] ?? 0) + (c[k] ?? 0);
}

/** The accounting identities every report must satisfy; returns the violated ones (empty when consistent). */
export function accountingErrors(c: RequestCounts): string[] {
  const errs: string[] = [];
  const failed = c.ok + c.httpErrors + c.timeouts + c.connectionErrors + c.badResponses;
  if (c.sent !== failed) errs.push(`sent ${c.sent} != ok + errors ${failed}`);
  if (c.scheduled !== c.sent + c.dropped) errs.push(`scheduled ${c.scheduled} != sent + dropped ${c.sent + c.dropped}`);
  return errs;
}
