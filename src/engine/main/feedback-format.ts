// The wire format of delayed ground truth (feedback.format), apart from how posts are scheduled and sent
// (feedback.ts):
//   batch     modelwave's own, for the reference server: {"feedback": [{"uuid", "seq", "label"}, …]}, many per post.
//   cloudera  Cloudera AI delayed metrics, one POST per prediction:
//             {"modelDeploymentCrn": CRN, "predictionUuid": UUID, "metrics": {"final_label": LABEL}}
//             (the body cml.metrics_v1.track_delayed_metrics sends; feedback.metric names the key).
import type { FeedbackSpec, LabelValue } from '../../spec/types.js';
import { DEFAULT_FEEDBACK_METRIC } from '../../spec/wire.js';

export interface FeedbackItem {
  /** The server uuid (or the sequence number as text when the spec keys by seq). */
  key: string;
  seq: number;
  /** The true label: one value, or one per row of a batched request. */
  label: LabelValue | LabelValue[] | number | number[];
}

/** Labels per POST: Cloudera takes one prediction per request. */
export const itemsPerPost = (spec: FeedbackSpec): number => (spec.format === 'cloudera' ? 1 : spec.batchSize);

/** Whether an answered request can be posted at all: Cloudera needs the server's prediction uuid. */
export const canPost = (spec: FeedbackSpec, hasUuid: boolean): boolean => spec.format !== 'cloudera' || hasUuid;

/** The body of one POST carrying `items` (exactly one for cloudera). */
export function feedbackBody(spec: FeedbackSpec, items: readonly FeedbackItem[]): string {
  if (spec.format === 'cloudera') {
    const item = items[0]!;
    return JSON.stringify({
      modelDeploymentCrn: spec.deploymentCrn ?? '',
      predictionUuid: item.key,
      metrics: { [spec.metric ?? DEFAULT_FEEDBACK_METRIC]: item.label },
    });
  }
  return JSON.stringify({ feedback: items.map((p) => ({ uuid: p.key, seq: p.seq, label: p.label })) });
}

/** Request headers: JSON, plus feedback.headers (already `${ENV}`-substituted; secrets, never logged). */
export function feedbackHeaders(spec: FeedbackSpec): Record<string, string> {
  return { 'content-type': 'application/json', ...(spec.authorization && { authorization: spec.authorization }), ...(spec.headers ?? {}) };
}
