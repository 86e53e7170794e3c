// A short plain-text summary of a normalized scenario (what `modelwave validate` prints).
import { formatDurationMs } from '../util/duration.js';
import { loadPlanOf } from '../schedule/plan.js';
import { fieldHasDrift } from './normalize-data.js';
import { redactUrl } from './redact.js';
import type { FieldArg, FieldSpec, LabelSpec, Phase, Scenario } from '../spec/types.js';
import { DEFAULT_TENSOR_DATATYPE, DEFAULT_TENSOR_NAME, clouderaRequestOf, rowFormatOf, tensorOf } from '../spec/wire.js';

export function describeScenario(s: Scenario, file: string = s.file): string {
  const t = s.target;
  const plan = loadPlanOf(s);
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${`${k}:`.padEnd(12)}${v}`);
  row('scenario', `${s.name} (${file}), seed ${s.seed}`);
  row(
    'target',
    `${redactUrl(t.url)}  protocol ${t.protocol}, timeout ${formatDurationMs(t.timeoutMs)}, ${t.rowsPerRequest} row${t.rowsPerRequest === 1 ? '' : 's'}/request` +
      (Object.keys(t.headers).length ? `, headers ${Object.keys(t.headers).join(', ')}` : ''),
  );
  row('sends', describeWire(s));
  row('load', `${s.load.phases.length} phase${s.load.phases.length === 1 ? '' : 's'}, workers ${s.load.workers}`);
  s.load.phases.forEach((p, i) => {
    // The plan's figures: what the engine runs (a request cap ends its phase); `~` expected (Poisson), `≤` a bound.
    const pp = plan.phases[i]!;
    const n = pp.plannedRequests;
    const approx = p.kind === 'open' ? (p.arrivals === 'poisson' ? '~' : '') : p.durationMs !== undefined ? '≤ ' : '';
    const count = n === undefined ? 'until the duration ends' : `${approx}${n} requests`;
    // A Poisson phase's length is an expectation only when its cap ends it; a closed phase's is a bound with a cap.
    const bound = p.kind === 'closed' ? (p.requests !== undefined ? '≤ ' : '') : approx && p.requests !== undefined ? '~' : '';
    const len = pp.plannedMs !== undefined ? ` in ${bound}${formatDurationMs(pp.plannedMs)}` : '';
    lines.push(`  ${i + 1}. ${p.name.padEnd(12)} ${describePhase(p).padEnd(50)} ${count}${len}`);
  });
  const total = plan.plannedRequests !== undefined ? `${plan.plannedRequests} requests` : 'request count unknown (closed loop by duration)';
  const dur = plan.durationMs !== undefined ? `~${formatDurationMs(plan.durationMs)}` : 'duration unknown (closed loop by requests)';
  row('expected', `${total}, ${dur}`);
  if (s.data.source) {
    const src = s.data.source;
    row('data', `replay ${src.path} (${src.format}, ${src.order}, at end ${src.atEnd})${src.columns ? `, columns ${src.columns.join(', ')}` : ''}`);
  } else {
    row('data', `${s.data.fields.length} field${s.data.fields.length === 1 ? '' : 's'}`);
    for (const f of s.data.fields) lines.push(`  ${f.name.padEnd(16)} ${describeField(f.spec)}`);
  }
  row('label', s.label ? describeLabel(s.label) : 'none (latency and errors only)');
  if (s.label?.drift || s.data.fields.some((f) => fieldHasDrift(f.spec))) row('drift', `progress 0 → 1 over ${s.progressRequests} requests`);
  row('windows', s.windows.kind === 'count' ? `every ${s.windows.every} requests` : `every ${formatDurationMs(s.windows.spanMs)}`);
  if (s.feedback) {
    const f = s.feedback;
    const how = f.format === 'cloudera' ? `Cloudera delayed metrics (${f.metric ?? 'final_label'}) for ${f.deploymentCrn}, one post per uuid` : `batches of ${f.batchSize}, key ${f.key}`;
    row('feedback', `${f.url === 'builtin' ? "the target's /feedback" : redactUrl(f.url)} after ${formatDurationMs(f.afterMs)}, ${how}, ≤ ${f.maxRate}/s`);
  }
  row('thresholds', s.thresholds.length ? s.thresholds.map((x) => x.expr).join('; ') : 'none');
  if (s.compare) row('compare', `${s.compare.rules.map((r) => r.expr).join('; ') || 'default rules'} (alpha ${s.compare.alpha})`);
  return lines.join('\n');
}

/** What goes on the wire: which fields, in which order, in which shape. */
function describeWire(s: Scenario): string {
  const t = s.target;
  const names = t.send ?? (s.data.source ? s.data.source.columns : s.data.fields.map((f) => f.name));
  const fields = names ? names.join(', ') : 'every column but the label';
  if (t.protocol === 'kserve-v2') {
    const k = tensorOf(t);
    return k.layout === 'single'
      ? `${fields} as one [n, ${names?.length ?? 'k'}] ${k.datatype ?? DEFAULT_TENSOR_DATATYPE} tensor ${k.name ?? DEFAULT_TENSOR_NAME}`
      : `${fields} as one tensor each${k.dims.length ? ' of shape [n, 1]' : ''}`;
  }
  const form = t.protocol === 'cloudera' ? `, cloudera request ${clouderaRequestOf(t)}` : '';
  const rowFormat = rowFormatOf(t);
  return `${fields}${rowFormat ? ` as ${rowFormat === 'array' ? 'positional' : rowFormat} rows` : ' as columns + data'}${form}`;
}

function describePhase(p: Phase): string {
  const flags = p.warmup ? ' (warm-up)' : '';
  if (p.kind === 'closed') {
    const end = [p.durationMs !== undefined && `for ${formatDurationMs(p.durationMs)}`, p.requests !== undefined && `or ${p.requests} requests`].filter(Boolean).join(' ');
    return `closed ${p.concurrency} in flight${p.thinkMs ? `, think ${formatDurationMs(p.thinkMs)}` : ''} ${end.replace(/^or /, 'for ')}${flags}`;
  }
  const rate = p.rampTo === undefined ? `${p.rate} req/s` : `${p.rate} → ${p.rampTo} req/s${p.steps ? ` in ${p.steps} steps` : ''}`;
  return `open ${rate} ${p.arrivals} for ${formatDurationMs(p.durationMs)}${p.requests !== undefined ? ` (≤ ${p.requests})` : ''}${flags}`;
}

function describeField(f: FieldSpec): string {
  const drift = 'drift' in f && f.drift ? ` drifting to ${JSON.stringify(f.drift)}` : '';
  switch (f.kind) {
    case 'int':
    case 'float':
      return `${f.kind}[${f.min}, ${f.max}]${drift}`;
    case 'normal':
      return `normal(mean ${f.mean}, sd ${f.sd})${drift}`;
    case 'oneOf':
      return `oneOf ${f.values.map((v) => JSON.stringify(v)).join(' | ')}${f.weights ? ` weights ${f.weights.join(':')}` : ''}${drift}`;
    case 'bool':
      return `bool p=${f.p}${drift}`;
    case 'const':
      return `const ${JSON.stringify(f.value)}`;
    case 'faker':
      return `faker ${f.method}${f.args ? ` ${JSON.stringify(f.args)}` : ''}`;
    case 'uuid':
    case 'seq':
      return f.kind;
    default:
      return `${f.kind}(${f.args.map(describeArg).join(', ')})`;
  }
}

const describeArg = (a: FieldArg): string => ('ref' in a ? a.ref : 'value' in a ? String(a.value) : describeField(a.expr));

function describeLabel(l: LabelSpec): string {
  const m = l.model;
  const terms = (bias: number, w: Record<string, number>) => [String(bias), ...Object.entries(w).map(([k, v]) => `${v}·${k}`)].join(' + ');
  let model: string;
  switch (m.kind) {
    case 'logistic':
      model = `logistic(${terms(m.bias, m.weights)})`;
      break;
    case 'linear':
      model = `linear(${terms(m.bias, m.weights)})${m.noiseSd ? ` + noise sd ${m.noiseSd}` : ''}`;
      break;
    case 'threshold':
      model = `threshold ${m.field} ${m.op} ${JSON.stringify(m.value)}`;
      break;
    case 'priors':
      model = `priors ${m.weights.join(':')}`;
      break;
    case 'softmax':
      model = `softmax over ${m.classes.length} classes`;
      break;
    default:
      model = `column ${m.column}`;
  }
  const classes = l.task === 'classification' ? `; classes ${l.classes.join(', ')}${l.positive !== undefined ? ` (positive ${l.positive})` : ''}` : '; regression';
  const d = l.drift;
  const drift = [
    d?.flipRate && `label noise ${d.flipRate.from} → ${d.flipRate.to}`,
    d?.concept && `concept drift ${d.concept.start === d.concept.end ? `at ${d.concept.start}` : `over ${d.concept.start}–${d.concept.end}`}`,
  ].filter(Boolean);
  return `${l.name} = ${model}${classes}${drift.length ? `; drift: ${drift.join(', ')}` : ''}`;
}
