// Ground truth posted back to the reference server (the lab's "delayed metrics"): counted, deduplicated, and
// checked against the uuids this server issued, so tests can tell that feedback reached the right predictions.

export interface FeedbackStats {
  /** Accepted POST /feedback bodies, and the labels they carried. */
  posts: number;
  received: number;
  /** Distinct keys (uuid or sequence number) among the labels received. */
  unique: number;
  /** Labels keyed by a uuid this server issued / by a sequence number / by anything else. */
  issued: number;
  seq: number;
  unknown: number;
  /** Labels received per label value. */
  labels: Record<string, number>;
  /** Bodies refused with 400. */
  rejected: number;
}

const empty = (): FeedbackStats => ({ posts: 0, received: 0, unique: 0, issued: 0, seq: 0, unknown: 0, labels: {}, rejected: 0 });

export class FeedbackLog {
  private s = empty();
  private keys = new Set<string>();

  constructor(private readonly wasIssued: (uuid: string) => boolean) {}

  /**
   * Take one POST body — modelwave's `{"feedback": [{"uuid", "label"}, …]}` or Cloudera's delayed metrics
   * `{"modelDeploymentCrn", "predictionUuid", "metrics": {KEY: label}}` — : the number of labels, or why it was refused.
   */
  add(text: string): number | string {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.s.rejected++;
      return 'body is not JSON';
    }
    const items = json !== null && typeof json === 'object' ? feedbackItems(json as Record<string, unknown>) : undefined;
    const problem = validate(items);
    if (problem !== undefined) {
      this.s.rejected++;
      return problem;
    }
    const list = items as { uuid: string | number; label: string | number | boolean }[];
    for (const { uuid, label } of list) {
      const key = String(uuid);
      if (typeof uuid === 'number' || /^\d+$/.test(key)) this.s.seq++;
      else if (this.wasIssued(key)) this.s.issued++;
      else this.s.unknown++;
      this.keys.add(key);
      const l = String(label);
      this.s.labels[l] = (this.s.labels[l] ?? 0) + 1;
    }
    this.s.posts++;
    this.s.received += list.length;
    this.s.unique = this.keys.size;
    return list.length;
  }

  stats(): FeedbackStats {
    return { ...this.s, labels: { ...this.s.labels } };
  }

  reset(): void {
    this.s = empty();
    this.keys.clear();
  }
}

/** The labels of either body format, as `{uuid, label}` items (a Cloudera body: its one metric value). */
function feedbackItems(body: Record<string, unknown>): unknown {
  if (!Object.hasOwn(body, 'predictionUuid')) return body.feedback;
  const metrics = body.metrics;
  const values = metrics !== null && typeof metrics === 'object' && !Array.isArray(metrics) ? Object.values(metrics) : [];
  return values.length === 1 ? [{ uuid: body.predictionUuid, label: values[0] }] : undefined;
}

function validate(items: unknown): string | undefined {
  if (!Array.isArray(items)) return 'body must be {"feedback": [{"uuid": "...", "label": 0}, ...]}';
  for (let i = 0; i < items.length; i++) {
    const it: unknown = items[i];
    if (it === null || typeof it !== 'object') return `feedback[${i}] must be an object with uuid and label`;
    const { uuid, label } = it as Record<string, unknown>;
    if (!(typeof uuid === 'string' || typeof uuid === 'number')) return `feedback[${i}].uuid must be a string or a sequence number`;
    if (!(typeof label === 'string' || typeof label === 'number' || typeof label === 'boolean')) {
      return `feedback[${i}].label must be a string, number or boolean`;
    }
  }
  return undefined;
}
