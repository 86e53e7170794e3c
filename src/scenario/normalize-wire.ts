// What goes on the wire: target.send, rowFormat, tensor, output, decisionThreshold and cloudera.request, checked
// against the protocol and the data (field names, which fields hold numbers). Defaults live in wire.ts.
import type { Checker } from './check.js';
import { describeValue, didYouMean, type Path } from './errors.js';
import type { DataInfo } from './normalize-data.js';
import type { RawTarget } from './schema.js';
import type { LabelSpec, Protocol, TargetSpec, TensorSpec, V2Datatype } from '../spec/types.js';
import { CLOUDERA_BATCH_FORMS, DEFAULT_TENSOR_DATATYPE, datatypeNeeds, rowFormatOf, rowFormatsOf } from '../spec/wire.js';
import { TELCO_INPUTS } from '../server/models.js';

type Wire = Pick<TargetSpec, 'send' | 'rowFormat' | 'tensor' | 'output' | 'decisionThreshold' | 'cloudera'>;

export function normalizeWire(
  raw: RawTarget,
  protocol: Protocol,
  rowsPerRequest: number,
  chk: Checker,
  info: DataInfo | undefined,
  label: LabelSpec | undefined,
): Wire {
  const at = (...p: Path): Path => ['target', ...p];
  const ok = (k: keyof RawTarget) => chk.ok(at(k));
  const out: Wire = {};
  const sendable = info ? sendableNames(info, label) : undefined;

  if (raw.send !== undefined && ok('send')) {
    const seen = new Set<string>();
    raw.send.forEach((name, i) => {
      if (seen.has(name)) chk.add(at('send', i), `lists \`${name}\` twice`);
      seen.add(name);
      if (!sendable || sendable.includes(name)) return;
      if (labelColumn(info!, label) === name) chk.add(at('send', i), `names the label column \`${name}\`; the ground truth is never sent to the model`);
      else {
        const hint = didYouMean(name, sendable);
        const what = info!.synthetic ? 'data field' : 'feature column';
        chk.add(at('send', i), `names \`${name}\`, which is not a ${what}${hint ? `; did you mean \`${hint}\`?` : ` (${what}s: ${sendable.join(', ')})`}`);
      }
    });
    out.send = raw.send;
  }
  const sent = out.send ?? sendable;

  const cloudera = raw.cloudera !== undefined && ok('cloudera') ? raw.cloudera : undefined;
  if (cloudera) {
    if (protocol !== 'cloudera') chk.add(at('cloudera'), `is only used by protocol cloudera (protocol is ${protocol})`, 'key');
    else out.cloudera = { request: cloudera.request };
  }
  if (protocol === 'cloudera' && rowsPerRequest !== 1 && ok('rowsPerRequest')) {
    const form = out.cloudera?.request ?? 'flat';
    if (!CLOUDERA_BATCH_FORMS.includes(form)) {
      chk.add(
        at('rowsPerRequest'),
        `must be 1 with cloudera request form ${form}, which holds one row (got ${rowsPerRequest}); to batch, set target.cloudera.request to ${CLOUDERA_BATCH_FORMS.join(', ')} (an MLflow payload, e.g. a model deployed from the Model Registry)`,
      );
    }
  }

  if (raw.rowFormat !== undefined && ok('rowFormat')) {
    const allowed = rowFormatsOf({ protocol, ...(out.cloudera && { cloudera: out.cloudera }) });
    const form = protocol === 'cloudera' ? ` with cloudera request ${out.cloudera?.request ?? 'flat'}` : '';
    if (allowed.length === 0) {
      chk.add(at('rowFormat'), `has no effect with protocol ${protocol}${form}, which does not write rows one by one; remove it`, 'key');
    } else if (!allowed.includes(raw.rowFormat)) {
      chk.add(at('rowFormat'), `must be ${allowed.join(' or ')} with protocol ${protocol}${form} (got ${describeValue(raw.rowFormat)})`);
    } else out.rowFormat = raw.rowFormat;
    if (raw.rowFormat === 'scalar' && sent && sent.length !== 1) {
      chk.add(at('rowFormat'), `scalar writes a row as its one value, so it needs exactly one sent field (sending ${sent.join(', ')}); set target.send`);
    }
  }

  if (raw.tensor !== undefined && ok('tensor')) {
    if (protocol !== 'kserve-v2') chk.add(at('tensor'), `is only used by protocol kserve-v2 (protocol is ${protocol})`, 'key');
    else out.tensor = normalizeTensor(raw.tensor, chk, sent);
  }
  if (protocol === 'kserve-v2' && sent && info && (raw.tensor === undefined || out.tensor)) {
    checkTensorTypes(out.tensor ?? { layout: 'single' }, sent, knownTypes(info), chk, raw.tensor !== undefined ? at('tensor') : raw.send !== undefined ? at('send') : ['target']);
  }

  if (sent && ok('url')) checkBuiltinOrder(raw.url, protocol, out, sent, chk);

  if (raw.output !== undefined && ok('output')) {
    if (protocol !== 'kserve-v2' && protocol !== 'tf-serving') {
      chk.add(at('output'), `is only used by protocols kserve-v2 and tf-serving (protocol is ${protocol}); use target.predictionPath`, 'key');
    } else out.output = raw.output;
  }
  if (raw.decisionThreshold !== undefined && ok('decisionThreshold')) {
    if (label && (label.task !== 'classification' || label.classes.length !== 2)) {
      chk.add(at('decisionThreshold'), `applies to a binary label (this label ${label.task === 'regression' ? 'is a regression target' : `has ${label.classes.length} classes`}); remove it`, 'key');
    } else out.decisionThreshold = raw.decisionThreshold;
  }
  return out;
}

function normalizeTensor(raw: NonNullable<RawTarget['tensor']>, chk: Checker, sent: string[] | undefined): TensorSpec {
  if (typeof raw === 'string') return { layout: raw };
  const at = (...p: Path): Path => ['target', 'tensor', ...p];
  const layout = raw.layout ?? (raw.datatypes !== undefined || raw.dims !== undefined ? 'per-field' : 'single');
  if (layout === 'single') {
    if (raw.datatypes !== undefined) chk.add(at('datatypes'), 'applies to per-field tensors (layout: per-field); a single tensor has one datatype', 'key');
    if (raw.dims !== undefined) chk.add(at('dims'), 'applies to per-field tensors (layout: per-field); a single tensor is [n, k]', 'key');
  } else if (raw.name !== undefined) {
    chk.add(at('name'), 'names the single [n, k] tensor; per-field tensors are named after their fields', 'key');
  }
  for (const name of Object.keys(raw.datatypes ?? {})) {
    if (sent && !sent.includes(name)) chk.add(at('datatypes', name), `names \`${name}\`, which is not sent (sent fields: ${sent.join(', ')})`, 'key');
  }
  return {
    layout,
    ...(raw.name !== undefined && { name: raw.name }),
    ...(raw.datatype !== undefined && { datatype: raw.datatype }),
    ...(raw.datatypes !== undefined && { datatypes: raw.datatypes }),
    ...(raw.dims !== undefined && { dims: raw.dims }),
    ...(raw.parameters !== undefined && { parameters: raw.parameters }),
  };
}

/** What each name is known to hold before the run: synthetic fields always, replayed columns when declared. */
function knownTypes(info: DataInfo): Map<string, 'number' | 'boolean' | 'other'> {
  const m = new Map<string, 'number' | 'boolean' | 'other'>();
  if (info.synthetic) {
    for (const n of info.names ?? []) m.set(n, info.boolean.has(n) ? 'boolean' : info.numeric.has(n) ? 'number' : 'other');
  } else {
    for (const [n, t] of Object.entries(info.types ?? {})) m.set(n, t === 'boolean' ? 'boolean' : t === 'string' ? 'other' : 'number');
  }
  return m;
}

/** A numeric tensor fed a non-numeric field is refused before the run, with the choices that work. */
function checkTensorTypes(t: TensorSpec, sent: string[], known: Map<string, 'number' | 'boolean' | 'other'>, chk: Checker, path: Path): void {
  const bad = (name: string, d: V2Datatype): boolean => {
    const k = known.get(name);
    const need = datatypeNeeds(d);
    return k !== undefined && ((need === 'number' && k === 'other') || (need === 'boolean' && k !== 'boolean'));
  };
  if (t.layout === 'single') {
    const d = t.datatype ?? DEFAULT_TENSOR_DATATYPE;
    const wrong = sent.filter((n) => bad(n, d));
    if (wrong.length === 0) return;
    const fields = wrong.map((n) => `\`${n}\``).join(', ');
    chk.add(
      path,
      `sends one [n, ${sent.length}] ${d} tensor${t.datatype === undefined ? ' (the kserve-v2 default)' : ''}, but ${fields} ${wrong.length === 1 ? 'is' : 'are'} not ${datatypeNeeds(d) === 'boolean' ? 'boolean' : 'numeric'}; ` +
        'choose one: leave non-numeric fields out (target.send), one tensor per field (target.tensor: per-field, text goes as BYTES), or a BYTES tensor (target.tensor.datatype: BYTES)',
    );
    return;
  }
  for (const name of sent) {
    const declared = t.datatypes?.[name];
    const d = declared ?? t.datatype;
    if (d !== undefined && bad(name, d)) {
      chk.add(declared ? ['target', 'tensor', 'datatypes', name] : ['target', 'tensor', 'datatype'], `makes \`${name}\` a ${d} tensor, but it is not ${datatypeNeeds(d) === 'boolean' ? 'boolean' : 'numeric'}; declare it BYTES (target.tensor.datatypes.${name}: BYTES)`);
    }
  }
}

/**
 * The built-in reference models read a positional row (a list, an [n, k] tensor) in their own input order, like a
 * trained model: telco as iot_signal_1…iot_signal_4, echo:F as [F]. A scenario that sends another order would be
 * scored on the wrong inputs, silently — refused here, with the fix.
 */
function checkBuiltinOrder(url: string, protocol: Protocol, wire: Wire, sent: string[], chk: Checker): void {
  const m = /^builtin:\s*(telco@v[12]|echo:(.+))$/.exec(url.trim());
  if (!m) return;
  const format = rowFormatOf({ protocol, ...(wire.cloudera && { cloudera: wire.cloudera }), ...(wire.rowFormat && { rowFormat: wire.rowFormat }) });
  const positional = protocol === 'kserve-v2' ? (wire.tensor?.layout ?? 'single') === 'single' : format === 'array' || format === 'scalar';
  if (!positional) return;
  const inputs: readonly string[] = m[2] !== undefined ? [m[2]] : TELCO_INPUTS;
  if (inputs.every((name, i) => sent[i] === name)) return;
  chk.add(
    ['target', protocol === 'kserve-v2' ? 'tensor' : 'rowFormat'],
    `sends positional rows, which ${m[0]} reads in its input order (${inputs.join(', ')}); send those first, in that order (target.send), or send named rows (${protocol === 'kserve-v2' ? 'target.tensor: per-field' : 'target.rowFormat: object'})`,
    'key',
  );
}

/** The names a request can carry: synthetic fields, or the replayed feature columns (never the label column). */
function sendableNames(info: DataInfo, label: LabelSpec | undefined): string[] | undefined {
  if (!info.names) return undefined;
  if (info.synthetic) return info.names;
  const col = labelColumn(info, label);
  return info.columns ?? info.names.filter((n) => n !== col);
}

function labelColumn(info: DataInfo, label: LabelSpec | undefined): string | undefined {
  return label?.model.kind === 'column' ? label.model.column : info.sourceLabel;
}
