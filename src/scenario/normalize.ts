// From a structurally valid file (schema.ts) to the normalized Scenario: cross-key rules, defaults, units.
// Every rule adds a problem and carries on, so one `validate` reports every mistake in the file.
import { basename, dirname, extname } from 'node:path';
import { parseCompareRule, parseCompareRuleLine, parseThreshold, parseThresholdLine, metricClass, metricTask } from '../verdict/thresholds.js';
import { parseDurationMs } from '../util/duration.js';
import type { Checker } from './check.js';
import { substituteEnv } from './env.js';
import { describeValue, type Path } from './errors.js';
import { normalizeHeaders } from './headers.js';
import { redactUrl } from './redact.js';
import { checkHttpUrl, FEEDBACK_SCHEMES, TARGET_SCHEMES, urlProblemText } from './url.js';
import { normalizeData, normalizeLabel, type DataInfo } from './normalize-data.js';
import { normalizeWire } from './normalize-wire.js';
import { DEFAULT_FEEDBACK_METRIC } from '../spec/wire.js';
import { durationForRequestsMs } from '../schedule/plan.js';
import { normalizeMaxResponseBytes, normalizeTls } from './normalize-tls.js';
import type { RawComparisons, RawPhase, RawScenario, RawTarget } from './schema.js';
import { COMPARE_DEFAULTS } from '../spec/types.js';
import type { CompareRuleSpec, CompareSpec, FeedbackSpec, LabelSpec, Phase, Scenario, TargetSpec, ThresholdSpec, WindowSpec } from '../spec/types.js';

/** Everything in the Scenario except what load.ts adds (plan, progress, redacted copy). */
export type NormalizedCore = Omit<Scenario, 'progressRequests' | 'plannedRequests' | 'redacted'>;

export const DEFAULTS = {
  seed: 1,
  protocol: 'cloudera',
  timeoutMs: 5000,
  rowsPerRequest: 1,
  maxInFlight: 10_000,
  workers: 'auto',
  arrivals: 'uniform',
  windowsEvery: 1000,
  feedback: { afterMs: 5000, batchSize: 100, maxRate: 50, retries: 3, key: 'uuid' },
  compare: COMPARE_DEFAULTS,
} as const;

const BUILTIN = /^builtin:\s*(telco@v1|telco@v2|echo:(.+)|constant:(.+))$/;
/** Records store the phase index in a Uint8Array. */
const MAX_PHASES = 255;

/**
 * Cross-key rules and defaults. `raw` passed the schema only where `chk` says so: every section is read only when
 * it is intact, so a broken section is reported once (by the schema) and the others are still checked. The result
 * is meaningful only when no problem was recorded.
 */
export function normalize(raw: unknown, file: string, chk: Checker, env: NodeJS.ProcessEnv): NormalizedCore | undefined {
  if (!chk.readable([])) return undefined;
  const r = raw as RawScenario;
  const { data, info } = chk.readable(['data']) ? normalizeData(r.data, chk, dirname(file)) : { data: { fields: [] }, info: undefined };
  const label = info && (r.data.source === undefined || chk.ok(['data', 'source'])) ? normalizeAnyLabel(r, chk, info) : undefined;
  const target = chk.readable(['target']) ? normalizeTarget(r.target, chk, env, info, label, dirname(file)) : undefined;
  const arrivals = chk.ok(['load', 'arrivals']) ? (r.load.arrivals ?? DEFAULTS.arrivals) : DEFAULTS.arrivals;
  const phases = chk.readable(['load', 'phases']) ? normalizePhases(r.load.phases, arrivals, chk) : [];
  // Without a readable label section, label-dependent rules would only echo the label's own problems.
  const labelKnown = label !== undefined || (info !== undefined && r.label === undefined && r.data.label === undefined);
  const feedback = chk.ok(['feedback']) && r.feedback ? normalizeFeedback(r.feedback, chk, label, labelKnown, env) : undefined;
  const windows = chk.ok(['windows']) ? normalizeWindows(r.windows, chk) : undefined;
  const thresholds = chk.readable(['thresholds']) ? normalizeThresholds(r.thresholds, chk, label, labelKnown) : [];
  const compare = chk.readable(['compare']) && r.compare ? normalizeCompare(r.compare, chk) : undefined;
  if (!target || !windows || !chk.ok([])) return undefined;
  return {
    name: r.name ?? basename(file, extname(file)),
    ...(r.description !== undefined && { description: r.description }),
    seed: r.seed ?? DEFAULTS.seed,
    file,
    target,
    data,
    ...(label && { label }),
    load: { phases, workers: r.load.workers ?? DEFAULTS.workers },
    ...(feedback && { feedback }),
    windows,
    thresholds,
    ...(compare && { compare }),
  };
}

function normalizeAnyLabel(raw: RawScenario, chk: Checker, info: DataInfo): LabelSpec | undefined {
  if (raw.label && raw.data.label) {
    chk.add(['data', 'label'], 'duplicates the top-level label; keep one of them', 'key');
    return undefined;
  }
  const base: Path = raw.label ? ['label'] : ['data', 'label'];
  const rawLabel = raw.label ?? raw.data.label;
  if (!rawLabel) {
    if (info.sourceLabel !== undefined) {
      chk.add(['data', 'source', 'label'], 'names the label column but there is no `label:` section; add `label: { classes: [0, 1] }` for a class label (omit classes for a numeric target)');
    }
    return undefined;
  }
  if (!chk.ok(base)) return undefined;
  const label = normalizeLabel(rawLabel, base, chk, info);
  if (label && info.sourceLabel !== undefined && label.model.kind !== 'column') {
    chk.add(['data', 'source', 'label'], `names a label column, but the label is computed by a ${label.model.kind} model; remove one of them`);
  }
  return label;
}

function normalizeTarget(raw: RawTarget, chk: Checker, env: NodeJS.ProcessEnv, info: DataInfo | undefined, label: LabelSpec | undefined, dir: string): TargetSpec | undefined {
  const ok = (k: keyof RawTarget) => chk.ok(['target', k]);
  const checked = ok('url') ? checkTargetUrl(raw.url, chk, info) : undefined;
  const url = checked?.url;
  const headers = ok('headers') ? normalizeHeaders(raw.headers ?? {}, ['target', 'headers'], env, chk) : {};
  if (checked?.authorization !== undefined) {
    const set = Object.keys(headers).find((h) => h.toLowerCase() === 'authorization');
    if (set) chk.add(['target', 'url'], `has a user:password, which is sent as Authorization: Basic, but target.headers sets ${set} too; keep one`);
    else headers.Authorization = checked.authorization;
  }
  const authorizationFromUrl = checked?.authorization !== undefined;
  const accessKey = raw.accessKey !== undefined && ok('accessKey') ? substituteEnv(raw.accessKey, ['target', 'accessKey'], env, chk) : undefined;
  const tls = ok('tls') ? normalizeTls(raw.tls, dir, chk) : undefined;
  const maxResponseBytes = ok('maxResponseBytes') ? normalizeMaxResponseBytes(raw.maxResponseBytes, chk) : undefined;
  if (!ok('protocol')) return undefined;
  const protocol = raw.protocol ?? DEFAULTS.protocol;
  const rowsPerRequest = raw.rowsPerRequest ?? DEFAULTS.rowsPerRequest;
  const wire = normalizeWire(raw, protocol, rowsPerRequest, chk, info, label);
  if (raw.accessKey !== undefined && protocol !== 'cloudera') chk.add(['target', 'accessKey'], `is only used by the cloudera protocol (protocol is ${protocol})`, 'key');
  if (protocol === 'template' && !raw.template) chk.add(['target'], 'needs `template: { body, responsePath }` with protocol template');
  if (raw.template && protocol !== 'template') chk.add(['target', 'template'], `is only used by protocol template (protocol is ${protocol})`, 'key');
  if (raw.template && raw.template.body === undefined && ok('template')) chk.add(['target', 'template', 'body'], 'is required');
  if (!chk.ok(['target']) || url === undefined) return undefined;
  return {
    url,
    protocol,
    headers,
    ...(authorizationFromUrl && { authorizationFromUrl: true as const }),
    timeoutMs: raw.timeout !== undefined ? parseDurationMs(raw.timeout) : DEFAULTS.timeoutMs,
    rowsPerRequest,
    maxInFlight: raw.maxInFlight ?? DEFAULTS.maxInFlight,
    ...(maxResponseBytes !== undefined && { maxResponseBytes }),
    ...(tls && { tls }),
    ...(accessKey !== undefined && { accessKey }),
    ...(raw.template && {
      template: { body: raw.template.body, responsePath: raw.template.responsePath, ...(raw.template.uuidPath && { uuidPath: raw.template.uuidPath }) },
    }),
    ...(raw.predictionPath && { predictionPath: raw.predictionPath }),
    ...(raw.probabilityPath && { probabilityPath: raw.probabilityPath }),
    ...wire,
  };
}

/** The URL to request (without userinfo) and the `Authorization: Basic` its userinfo stands for. */
function checkTargetUrl(url: string, chk: Checker, info: DataInfo | undefined): { url: string; authorization?: string } {
  const path: Path = ['target', 'url'];
  if (url.startsWith('builtin:')) {
    const m = BUILTIN.exec(url.trim());
    if (!m) {
      chk.add(path, `must be builtin:telco@v1, builtin:telco@v2, builtin:echo:FIELD or builtin:constant:VALUE (got ${describeValue(url)})`);
      return { url };
    }
    const echo = m[2];
    if (echo !== undefined && info?.names && !info.names.includes(echo)) {
      chk.add(path, `echoes \`${echo}\`, which is not a data field or column (${info.names.join(', ')})`);
    }
    return { url: `builtin:${m[1]}` };
  }
  const c = checkHttpUrl(url, TARGET_SCHEMES, 'builtin:telco@v1');
  if (!c.ok) {
    chk.add(path, urlProblemText(c, redactUrl(url)));
    return { url };
  }
  return { url: c.value.url, ...(c.value.authorization !== undefined && { authorization: c.value.authorization }) };
}

function normalizePhases(raw: RawPhase[], arrivals: 'uniform' | 'poisson', chk: Checker): Phase[] {
  if (raw.length > MAX_PHASES) chk.add(['load', 'phases'], `must have at most ${MAX_PHASES} phases (got ${raw.length})`);
  const phases: Phase[] = [];
  const names = new Set<string>();
  raw.forEach((p, i) => {
    const path: Path = ['load', 'phases', i];
    if (!chk.ok(path)) return;
    const name = p.name ?? `phase ${i + 1}`;
    if (names.has(name)) chk.add([...path, 'name'], `must be unique (${describeValue(name)} is used twice)`);
    names.add(name);
    const phase = normalizePhase(p, name, path, arrivals, chk);
    if (phase) phases.push(phase);
  });
  return phases;
}

function normalizePhase(p: RawPhase, name: string, path: Path, arrivals: 'uniform' | 'poisson', chk: Checker): Phase | undefined {
  const at = (k: string): Path => [...path, k];
  const durationMs = p.duration !== undefined ? parseDurationMs(p.duration) : undefined;
  if (durationMs === 0) chk.add(at('duration'), 'must be longer than 0');
  const warmup = p.warmup ?? false;
  if (p.rate !== undefined && p.concurrency !== undefined) {
    chk.add(path, 'sets both rate (open loop) and concurrency (closed loop); keep one');
    return undefined;
  }
  if (p.rate === undefined && p.concurrency === undefined) {
    chk.add(path, 'needs `rate` (open loop, requests per second) or `concurrency` (closed loop, requests in flight)');
    return undefined;
  }
  if (durationMs === undefined && p.requests === undefined) {
    chk.add(path, 'needs `duration` (e.g. 30s) or `requests` (a count) to know when it ends');
    return undefined;
  }
  if (p.rate !== undefined) {
    if (p.think !== undefined) chk.add(at('think'), 'applies to closed-loop phases (with concurrency) only', 'key');
    if (p.steps !== undefined && p.rampTo === undefined) chk.add(at('steps'), 'needs `rampTo`: steps go from rate to rampTo', 'key');
    const shape = { rate: p.rate, ...(p.rampTo !== undefined && { rampTo: p.rampTo }), ...(p.steps !== undefined && { steps: p.steps }) };
    return {
      kind: 'open',
      name,
      durationMs: durationMs ?? durationForRequestsMs(shape, p.requests!),
      ...shape,
      arrivals: p.arrivals ?? arrivals,
      warmup,
      ...(p.requests !== undefined && { requests: p.requests }),
    };
  }
  for (const k of ['rampTo', 'steps', 'arrivals'] as const) {
    if (p[k] !== undefined) chk.add(at(k), 'applies to open-loop phases (with rate) only', 'key');
  }
  return {
    kind: 'closed',
    name,
    concurrency: p.concurrency!,
    thinkMs: p.think !== undefined ? parseDurationMs(p.think) : 0,
    warmup,
    ...(durationMs !== undefined && { durationMs }),
    ...(p.requests !== undefined && { requests: p.requests }),
  };
}

function normalizeFeedback(
  raw: NonNullable<RawScenario['feedback']>,
  chk: Checker,
  label: LabelSpec | undefined,
  labelKnown: boolean,
  env: NodeJS.ProcessEnv,
): FeedbackSpec {
  if (!label && labelKnown) chk.add(['feedback'], 'needs a label: the ground truth it posts comes from the `label:` section', 'key');
  let url = raw.url;
  let authorization: string | undefined;
  if (raw.url !== 'builtin') {
    const c = checkHttpUrl(raw.url, FEEDBACK_SCHEMES, '"builtin" (the target\'s /feedback)');
    if (!c.ok) chk.add(['feedback', 'url'], urlProblemText(c, redactUrl(raw.url)));
    else ({ url, authorization } = c.value);
  }
  const d = DEFAULTS.feedback;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name] = substituteEnv(String(value), ['feedback', 'headers', name], env, chk);
  const format = raw.format ?? 'batch';
  if (format === 'cloudera') {
    // Cloudera's delayed metrics take one POST per prediction uuid (see src/engine/main/feedback-format.ts).
    if (raw.deploymentCrn === undefined) chk.add(['feedback'], 'needs `deploymentCrn` (the model deployment CRN) with format: cloudera');
    if (raw.key === 'seq') chk.add(['feedback', 'key'], 'must be uuid with format: cloudera: delayed metrics are keyed by the prediction uuid');
    if (raw.batchSize !== undefined) chk.add(['feedback', 'batchSize'], 'does not apply to format: cloudera, which posts one prediction per request', 'key');
  } else {
    for (const k of ['deploymentCrn', 'metric'] as const) {
      if (raw[k] !== undefined) chk.add(['feedback', k], 'is only used with format: cloudera', 'key');
    }
  }
  return {
    url,
    ...(authorization !== undefined && { authorization }),
    afterMs: raw.after !== undefined ? parseDurationMs(raw.after) : d.afterMs,
    batchSize: format === 'cloudera' ? 1 : (raw.batchSize ?? d.batchSize),
    maxRate: raw.maxRate ?? d.maxRate,
    retries: raw.retries ?? d.retries,
    key: raw.key ?? d.key,
    ...(raw.format !== undefined && { format }),
    ...(raw.headers !== undefined && { headers }),
    ...(format === 'cloudera' && raw.deploymentCrn !== undefined && { deploymentCrn: raw.deploymentCrn, metric: raw.metric ?? DEFAULT_FEEDBACK_METRIC }),
  };
}

function normalizeWindows(raw: RawScenario['windows'], chk: Checker): WindowSpec {
  if (!raw) return { kind: 'count', every: DEFAULTS.windowsEvery };
  if (raw.every !== undefined && raw.span !== undefined) chk.add(['windows'], 'must set `every` (requests) or `span` (time), not both');
  if (raw.span !== undefined) {
    const spanMs = parseDurationMs(raw.span);
    if (spanMs <= 0) chk.add(['windows', 'span'], 'must be longer than 0');
    return { kind: 'span', spanMs };
  }
  if (raw.every === undefined) chk.add(['windows'], 'needs `every` (requests per window) or `span` (e.g. 10s)');
  return { kind: 'count', every: raw.every ?? DEFAULTS.windowsEvery };
}

/** Both forms: `{ metric: "< v" | ["< v", ...] }` and `["metric < v", ...]`. */
function eachComparison(raw: RawComparisons, base: Path, fn: (path: Path, metric: string | undefined, expr: string) => void): void {
  if (Array.isArray(raw)) raw.forEach((line, i) => fn([...base, i], undefined, line));
  else {
    for (const [metric, v] of Object.entries(raw)) {
      if (Array.isArray(v)) v.forEach((expr, i) => fn([...base, metric, i], metric, expr));
      else fn([...base, metric], metric, v);
    }
  }
}

function normalizeThresholds(raw: RawComparisons | undefined, chk: Checker, label: LabelSpec | undefined, labelKnown: boolean): ThresholdSpec[] {
  const out: ThresholdSpec[] = [];
  if (!raw) return out;
  eachComparison(raw, ['thresholds'], (path, metric, expr) => {
    if (!chk.ok(path)) return;
    try {
      const spec = metric === undefined ? parseThresholdLine(expr) : parseThreshold(metric, expr);
      const problem = labelKnown ? thresholdFitsLabel(spec.metric, label) : undefined;
      if (problem) chk.add(path, problem);
      out.push(spec);
    } catch (err) {
      chk.add(path, (err as Error).message);
    }
  });
  return out;
}

/** A quality metric the label cannot produce is a mistake worth catching before the run. */
export function thresholdFitsLabel(metric: string, label: LabelSpec | undefined): string | undefined {
  const task = metricTask(metric);
  if (!task) return undefined;
  if (!label) return `uses \`${metric}\`, which needs a label (add a \`label:\` section)`;
  if (task !== label.task) return `uses \`${metric}\`, a ${task} metric, but the label is a ${label.task} target`;
  const cls = metricClass(metric);
  if (cls !== undefined && !label.classes.some((c) => String(c) === cls)) {
    return `names class \`${cls}\`, which is not one of the label classes (${label.classes.join(', ')})`;
  }
  return undefined;
}

function normalizeCompare(raw: NonNullable<RawScenario['compare']>, chk: Checker): CompareSpec {
  const rules: CompareRuleSpec[] = [];
  if (raw.rules && chk.readable(['compare', 'rules'])) {
    eachComparison(raw.rules, ['compare', 'rules'], (path, metric, expr) => {
      if (!chk.ok(path)) return;
      try {
        rules.push(metric === undefined ? parseCompareRuleLine(expr) : parseCompareRule(metric, expr));
      } catch (err) {
        chk.add(path, (err as Error).message);
      }
    });
  }
  const t = DEFAULTS.compare.tolerance;
  if (!chk.ok(['compare', 'tolerance']) || !chk.ok(['compare', 'alpha'])) return { rules, tolerance: { ...t }, alpha: DEFAULTS.compare.alpha };
  return {
    rules,
    tolerance: {
      accuracy: raw.tolerance?.accuracy ?? t.accuracy,
      latencyRatio: raw.tolerance?.latencyRatio ?? t.latencyRatio,
      errorRate: raw.tolerance?.errorRate ?? t.errorRate,
    },
    alpha: raw.alpha ?? DEFAULTS.compare.alpha,
  };
}
