// The last stage of a Summary: measure (engine/main/summarize.ts) → judge (verdict/judge.ts) → attach. Returns a
// new Summary with the judgement and what the run's surroundings add (its capacity probe tag, the feedback posts,
// the store outcome); the measured one is not written to. Keys land where report.json has always had them: `run`
// and `thresholds` in place, capacity then validity at the end of `run`, feedback then store after the timeline.
import type { FeedbackSummary, StoreSummary, Summary, ThresholdResult, Validity } from './types.js';

export interface Attachments {
  thresholds: ThresholdResult[];
  validity?: Validity;
  /** A probe of a `modelwave capacity` search. */
  capacity?: Summary['run']['capacity'];
  feedback?: FeedbackSummary;
  store?: StoreSummary;
}

export function attach(measured: Summary, a: Attachments): Summary {
  return {
    ...measured,
    run: { ...measured.run, ...(a.capacity ? { capacity: a.capacity } : {}), ...(a.validity ? { validity: a.validity } : {}) },
    thresholds: a.thresholds,
    ...(a.feedback ? { feedback: a.feedback } : {}),
    ...(a.store ? { store: a.store } : {}),
  };
}
