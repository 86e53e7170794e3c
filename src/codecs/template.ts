// Any JSON API: a body template with placeholders, plus paths into the response.
// The template is compiled once into literal JSON fragments and holes, so encoding is string concatenation.
// Whole-string placeholders keep JSON types ("{{seq}}" → 17, "{{row}}" → {…}); placeholders inside a longer
// string are interpolated as text ("req-{{seq}}" → "req-17").
import type { Codec } from './types.js';
import type { Row } from '../data/types.js';
import type { TemplateSpec } from '../spec/types.js';
import { ModelwaveError } from '../errors.js';
import { makeCodec, type CodecContext, type Located } from './extract.js';
import { cellJson, rowsJson, rowWriter } from './json.js';
import { getPath, parsePath } from './path.js';

type Hole = (rows: Row[], seq: number) => string;
type Placeholder = { kind: 'row' | 'rows' | 'seq' } | { kind: 'field'; name: string };

const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const ANY = /\{\{\s*([^{}]*?)\s*\}\}/g;

const invalid = (message: string, fix: string) => new ModelwaveError('MW_SCENARIO_INVALID', message, [fix]);

export function templateCodec(ctx: CodecContext): Codec {
  const { target } = ctx;
  const spec: TemplateSpec | undefined = target.template;
  if (!spec) {
    throw invalid('target.template is required when target.protocol is template', 'target.template: give a body and a responsePath.');
  }
  const { parts, holes } = compile(spec.body, ctx);
  const respSegs = parsePath(spec.responsePath, 'target.template.responsePath');
  const uuidSegs = spec.uuidPath === undefined ? undefined : parsePath(spec.uuidPath, 'target.template.uuidPath');

  const encode = (rows: Row[], seq: number): string => {
    let s = parts[0];
    for (let i = 0; i < holes.length; i++) s += holes[i](rows, seq) + parts[i + 1];
    return s;
  };
  const locate = (root: unknown): Located => {
    const found: Located = { predictions: getPath(root, respSegs), where: spec.responsePath || 'the response' };
    if (uuidSegs) {
      const id = getPath(root, uuidSegs);
      if (typeof id === 'string') found.uuid = id;
      else if (Array.isArray(id) && id.length === 1 && typeof id[0] === 'string') found.uuid = id[0];
    }
    return found;
  };
  return makeCodec('template', ctx, encode, locate);
}

/** Literal JSON text around holes: parts.length === holes.length + 1. */
function compile(body: unknown, ctx: CodecContext): { parts: string[]; holes: Hole[] } {
  // {{row}} and {{rows}} write rows in target.rowFormat (default object) with the sent fields; {{field:NAME}} reads
  // any field of the row.
  const encodeRow = rowWriter(ctx.rowFormat ?? 'object', ctx.send, ctx.plainStrings);
  const parts: string[] = [];
  const holes: Hole[] = [];
  let literal = '';
  const hole = (h: Hole) => {
    parts.push(literal);
    holes.push(h);
    literal = '';
  };

  const placeholder = (text: string, where: string): Placeholder => {
    if (text === 'row' || text === 'rows' || text === 'seq') {
      if (text === 'row' && ctx.target.rowsPerRequest > 1) {
        throw invalid(
          `${where} uses {{row}} but target.rowsPerRequest is ${ctx.target.rowsPerRequest}`,
          `${where}: use {{rows}} (an array of rows) when sending several rows per request.`,
        );
      }
      return { kind: text };
    }
    const m = /^field:\s*(.+)$/.exec(text);
    if (m) {
      const name = m[1].trim();
      if (ctx.fieldNames.length > 0 && !ctx.fieldNames.includes(name)) {
        throw invalid(`${where} uses {{field:${name}}} but there is no field ${name}`, `${where}: fields are ${ctx.fieldNames.join(', ')}.`);
      }
      if (ctx.target.rowsPerRequest > 1) {
        throw invalid(
          `${where} uses {{field:${name}}} but target.rowsPerRequest is ${ctx.target.rowsPerRequest}`,
          `${where}: a single field value only makes sense with one row per request; use {{rows}}.`,
        );
      }
      return { kind: 'field', name };
    }
    throw invalid(`${where} has an unknown placeholder {{${text}}}`, `${where}: use {{row}}, {{rows}}, {{seq}} or {{field:NAME}}.`);
  };

  const asJson = (p: Placeholder): Hole => {
    switch (p.kind) {
      case 'row':
        return (rows) => encodeRow(rows[0]);
      case 'rows':
        return (rows) => rowsJson(rows, encodeRow);
      case 'seq':
        return (_rows, seq) => String(seq);
      case 'field': {
        const name = p.name;
        return (rows) => cellJson(rows[0][name]);
      }
    }
  };
  const asText = (p: Placeholder): Hole => {
    if (p.kind === 'field') {
      const name = p.name;
      return (rows) => String(rows[0][name]);
    }
    return asJson(p);
  };

  const walk = (v: unknown, where: string): void => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) return hole(asJson(placeholder(whole[1], where)));
      if (!v.includes('{{')) {
        literal += JSON.stringify(v);
        return;
      }
      // Text with placeholders inside: fixed pieces and holes, joined and quoted per request.
      const pieces: string[] = [];
      const fills: Hole[] = [];
      let last = 0;
      for (const m of v.matchAll(ANY)) {
        pieces.push(v.slice(last, m.index));
        fills.push(asText(placeholder(m[1], where)));
        last = m.index + m[0].length;
      }
      pieces.push(v.slice(last));
      return hole((rows, seq) => {
        let s = pieces[0];
        for (let i = 0; i < fills.length; i++) s += fills[i](rows, seq) + pieces[i + 1];
        return JSON.stringify(s);
      });
    }
    if (Array.isArray(v)) {
      literal += '[';
      v.forEach((x, i) => {
        if (i > 0) literal += ',';
        walk(x, `${where}[${i}]`);
      });
      literal += ']';
      return;
    }
    if (v !== null && typeof v === 'object') {
      literal += '{';
      Object.entries(v).forEach(([k, x], i) => {
        literal += (i > 0 ? ',' : '') + JSON.stringify(k) + ':';
        walk(x, `${where}.${k}`);
      });
      literal += '}';
      return;
    }
    literal += JSON.stringify(v ?? null);
  };

  walk(body, 'target.template.body');
  parts.push(literal);
  return { parts, holes };
}
