// Open Inference Protocol request tensors (kserve docs/predict-api/v2/required_api.md), laid out once per scenario:
//   single     {"inputs": [{"name": "input-0", "shape": [n, k], "datatype": "FP32", "data": [[…], …]}]}
//              what KServe's sklearn server and MLServer's default NumpyRequestCodec take (they read one input).
//   per-field  {"parameters": {"content_type": "pd"}, "inputs": [{"name": f, "shape": [n], …}, …]}
//              one tensor per field, read as a DataFrame (KServe as_dataframe, MLServer PandasCodec); with
//              dims [1] the shape is [n, 1] (Triton inputs declared with dims: [1]).
// Datatypes are declared or inferred once from the field definitions, never from the values of a batch.
import type { Cell, Row } from '../data/types.js';
import { ModelwaveError } from '../errors.js';
import type { V2Datatype } from '../spec/types.js';
import { DEFAULT_TENSOR_DATATYPE, DEFAULT_TENSOR_NAME, PER_FIELD_PARAMETERS, datatypeNeeds, tensorOf } from '../spec/wire.js';
import type { CodecContext } from './extract.js';
import type { FieldType } from './types.js';

type CellWriter = (v: Cell | undefined | null) => string;

const numberCell: CellWriter = (v) =>
  typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : typeof v === 'boolean' ? (v ? '1' : '0') : v === undefined || v === null ? 'null' : JSON.stringify(v);
const boolCell: CellWriter = (v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'number' ? (v !== 0 ? 'true' : 'false') : v === undefined || v === null ? 'null' : JSON.stringify(v));
const bytesCell: CellWriter = (v) => (v === undefined || v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(String(v)));

const writerFor = (d: V2Datatype): CellWriter => {
  const need = datatypeNeeds(d);
  return need === 'number' ? numberCell : need === 'boolean' ? boolCell : bytesCell;
};

/** The datatype a field gets when none is declared: from what the field holds (see wireTypes). */
export function inferDatatype(t: FieldType | undefined): V2Datatype {
  switch (t) {
    case 'integer':
      return 'INT64';
    case 'boolean':
      return 'BOOL';
    case 'string':
    case 'mixed':
      return 'BYTES';
    default:
      return 'FP32';
  }
}

const invalid = (message: string, fix: string) => new ModelwaveError('MW_SCENARIO_INVALID', message, [fix]);

/** The request encoder for kserve-v2. Throws MW_SCENARIO_INVALID when a sent field cannot go in its tensor. */
export function tensorEncoder(ctx: CodecContext): (rows: Row[]) => string {
  const spec = tensorOf(ctx.target);
  const names = ctx.send;
  const types = ctx.fieldTypes;
  const check = (name: string, d: V2Datatype, fix: string) => {
    const t = types?.[name];
    const need = datatypeNeeds(d);
    if (t === undefined || need === 'any') return;
    if ((need === 'number' && (t === 'string' || t === 'mixed')) || (need === 'boolean' && t !== 'boolean')) {
      const what = spec.layout === 'single' ? `the [n, ${names.length}] ${d} tensor${ctx.target.tensor === undefined ? ' (the kserve-v2 default)' : ''}` : `a ${d} tensor`;
      throw invalid(`target.tensor: field \`${name}\` holds ${t === 'mixed' ? 'mixed' : t} values and cannot go in ${what}`, fix);
    }
  };
  const params = spec.parameters ?? (spec.layout === 'per-field' ? PER_FIELD_PARAMETERS : undefined);
  const head = params && Object.keys(params).length > 0 ? `{"parameters":${JSON.stringify(params)},"inputs":[` : '{"inputs":[';

  if (spec.layout === 'single') {
    const d = spec.datatype ?? DEFAULT_TENSOR_DATATYPE;
    for (const n of names) {
      check(n, d, 'target.send: leave non-numeric fields out, or use target.tensor: per-field (text goes as BYTES), or target.tensor.datatype: BYTES.');
    }
    const cell = writerFor(d);
    const open = `${head}{"name":${JSON.stringify(spec.name ?? DEFAULT_TENSOR_NAME)},"shape":[`;
    const tail = `,${names.length}],"datatype":"${d}","data":[`;
    return (rows) => {
      let s = open + rows.length + tail;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        s += r === 0 ? '[' : ',[';
        for (let i = 0; i < names.length; i++) s += (i === 0 ? '' : ',') + cell(row[names[i]]);
        s += ']';
      }
      return s + ']}]}';
    };
  }

  const dims = spec.dims.length ? `,${spec.dims.join(',')}` : '';
  const fields = names.map((name, i) => {
    const d = spec.datatypes?.[name] ?? spec.datatype ?? inferDatatype(types?.[name]);
    check(name, d, `target.tensor.datatypes.${name}: declare BYTES for a text field.`);
    return { name, open: `${i === 0 ? '' : ','}{"name":${JSON.stringify(name)},"shape":[`, tail: `${dims}],"datatype":"${d}","data":[`, cell: writerFor(d) };
  });
  return (rows) => {
    let s = head;
    for (let f = 0; f < fields.length; f++) {
      const { name, open, tail, cell } = fields[f];
      s += open + rows.length + tail;
      for (let r = 0; r < rows.length; r++) s += (r === 0 ? '' : ',') + cell(rows[r][name]);
      s += ']}';
    }
    return s + ']}';
  };
}
