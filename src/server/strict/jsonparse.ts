// A JSON reader that keeps what JSON.parse loses and the real servers see: whether a number was written as a float
// (`2.0` is a double to rapidjson and to Python, so Triton's INT64 and TF Serving's DT_INT64 refuse it, and pandas
// makes the column float64), and the NaN / Infinity tokens that Python's json and TF Serving's rapidjson accept.
// Float tokens come back as `Float`; integer tokens as plain numbers.
import { Float } from './pyjson.js';
import type { PyValue } from './pyjson.js';

type ParseErrorKind = 'empty' | 'value' | 'name' | 'colon' | 'object-comma' | 'array-comma' | 'string' | 'extra';

export class JsonSyntaxError extends Error {
  constructor(
    readonly kind: ParseErrorKind,
    /** Character offset of the problem. */
    readonly offset: number,
    readonly text: string,
  ) {
    super(`${kind} at ${offset}`);
  }

  /** Python's json.JSONDecodeError text: `Expecting value: line 1 column 1 (char 0)`. */
  python(): string {
    const what: Record<ParseErrorKind, string> = {
      empty: 'Expecting value',
      value: 'Expecting value',
      name: 'Expecting property name enclosed in double quotes',
      colon: "Expecting ':' delimiter",
      'object-comma': "Expecting ',' delimiter",
      'array-comma': "Expecting ',' delimiter",
      string: 'Unterminated string starting at',
      extra: 'Extra data',
    };
    const before = this.text.slice(0, this.offset);
    const line = before.split('\n').length;
    const col = this.offset - before.lastIndexOf('\n');
    return `${what[this.kind]}: line ${line} column ${col} (char ${this.offset})`;
  }

  /** rapidjson's GetParseError_En text (TF Serving, Triton). */
  rapidjson(): string {
    const what: Record<ParseErrorKind, string> = {
      empty: 'The document is empty.',
      value: 'Invalid value.',
      name: 'Missing a name for object member.',
      colon: 'Missing a colon after a name of object member.',
      'object-comma': "Missing a comma or '}' after an object member.",
      'array-comma': "Missing a comma or ']' after an array element.",
      string: 'Missing a closing quotation mark in string.',
      extra: 'The document root must not be followed by other values.',
    };
    return what[this.kind];
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Parse `text`; NaN, Infinity and -Infinity are accepted when `nonFinite` (Python json, rapidjson with kParseNanAndInfFlag). */
export function parseJson(text: string, nonFinite = true): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (kind: ParseErrorKind, at = i): never => {
    throw new JsonSyntaxError(kind, at, text);
  };
  const word = (w: string, v: PyValue): PyValue => {
    if (text.startsWith(w, i)) {
      i += w.length;
      return v;
    }
    return fail('value');
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) return fail('string', start);
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const esc = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (esc in simple) {
          out += simple[esc];
          i += 2;
        } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail('string', start);
      } else if (c < ' ') {
        return fail('string', start);
      } else {
        out += c;
        i++;
      }
    }
  };
  const value = (): PyValue => {
    ws();
    if (i >= text.length) return fail('value');
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, PyValue> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') return fail('name');
        const k = str();
        ws();
        if (text[i] !== ':') return fail('colon');
        i++;
        obj[k] = value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        return fail('object-comma');
      }
    }
    if (c === '[') {
      i++;
      const arr: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        return fail('array-comma');
      }
    }
    if (c === '"') return str();
    if (c === 't') return word('true', true);
    if (c === 'f') return word('false', false);
    if (c === 'n') return word('null', null);
    if (nonFinite && c === 'N') return word('NaN', new Float(NaN));
    if (nonFinite && c === 'I') return word('Infinity', new Float(Infinity));
    if (nonFinite && c === '-' && text[i + 1] === 'I') {
      i++;
      return word('Infinity', new Float(-Infinity));
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('value');
    i += m[0].length;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new Float(n) : n;
  };
  ws();
  if (i >= text.length) fail('empty');
  const v = value();
  ws();
  if (i < text.length) fail('extra');
  return v;
}

/** The numeric value of a parsed JSON number (either form); NaN for anything else. */
export const numeric = (v: unknown): number => (typeof v === 'number' ? v : v instanceof Float ? v.value : NaN);
export const isNumber = (v: unknown): v is number | Float => typeof v === 'number' || v instanceof Float;
export const isObject = (v: unknown): v is Record<string, PyValue> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Float);

/** Back to plain JSON-able JS values (floats as numbers): for echoing a client's data. */
export function plain(v: PyValue): unknown {
  if (v instanceof Float) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
