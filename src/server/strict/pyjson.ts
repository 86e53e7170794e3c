// How Python servers print numbers and values, so the strict servers' bodies are byte-for-byte plausible: a float
// tensor holds 1.0, not 1 (a client must not take it for an integer class), float32 values carry float32 noise
// (0.8700000047683716), and error messages quote Python reprs (['a', 'b'], (-1, 4), None).

/** A number that the real server holds as a float: always printed with a decimal point or an exponent. */
export class Float {
  constructor(readonly value: number) {}
}
export const f64 = (v: number): Float => new Float(v);
/** A float32 value as numpy's `.tolist()` or rapidjson's AppendDouble prints it: widened to double. */
export const f32 = (v: number): Float => new Float(Math.fround(v));

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16, `nan`/`inf` spelled per caller. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}

export type PyValue = null | boolean | number | string | Float | PyValue[] | { [key: string]: PyValue };

interface JsonStyle {
  item: string;
  key: string;
  /** How NaN/±Infinity floats print: Python's json.dumps writes NaN tokens; orjson and MLServer write null. */
  nan: 'token' | 'null';
  /** json.dumps escapes non-ASCII (ensure_ascii=True); orjson does not. */
  asciiOnly: boolean;
}

const PY_DUMPS: JsonStyle = { item: ', ', key: ': ', nan: 'token', asciiOnly: true };
const COMPACT: JsonStyle = { item: ',', key: ':', nan: 'null', asciiOnly: false };

function str(s: string, ascii: boolean): string {
  const j = JSON.stringify(s);
  return ascii ? j.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : j;
}

function write(v: PyValue, s: JsonStyle): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return str(v, s.asciiOnly);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : write(new Float(v), s);
  if (v instanceof Float) return !Number.isFinite(v.value) && s.nan === 'null' ? 'null' : pyFloat(v.value);
  if (Array.isArray(v)) return `[${v.map((x) => write(x, s)).join(s.item)}]`;
  return `{${Object.entries(v).map(([k, x]) => `${str(k, s.asciiOnly)}${s.key}${write(x, s)}`).join(s.item)}}`;
}

/** `json.dumps(v)` with Python's default separators (MLflow, Flask-style servers, Cloudera's model proxy). */
export const pyDumps = (v: PyValue): string => write(v, PY_DUMPS);
/** orjson / Starlette JSONResponse style: no spaces (KServe, MLServer). */
export const compactJson = (v: PyValue): string => write(v, COMPACT);

/** Python's `repr()` of a value: 'single-quoted' strings, None/True/False, [lists], {'dicts': ...}. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v).replace('NaN', 'nan').replace('Infinity', 'inf');
  if (v instanceof Float) return pyFloat(v.value).replace('NaN', 'nan').replace('Infinity', 'inf');
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/** A Python tuple: `(-1, 4)`, `(2,)`. */
export const pyTuple = (xs: readonly number[]): string => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);

/** numpy's str() of a 1-D float array as sklearn quotes it: `[6.8 6. ]` (trailing zeros dropped, padded). */
export function numpyRow(xs: readonly number[]): string {
  // numpy aligns on the decimal point: integral parts padded left, fractions padded right ("[  7.   8.  52. 104.]").
  const parts = xs.map((x) => {
    const t = pyFloat(x).replace('NaN', 'nan').replace('Infinity', 'inf');
    const dot = t.indexOf('.');
    if (dot < 0) return { int: t, frac: '' };
    const frac = t.slice(dot + 1);
    return { int: t.slice(0, dot), frac: frac === '0' ? '' : frac };
  });
  const intWidth = Math.max(0, ...parts.map((p) => p.int.length));
  const fracWidth = Math.max(0, ...parts.map((p) => p.frac.length));
  return `[${parts.map((p) => `${p.int.padStart(intWidth)}.${p.frac.padEnd(fracWidth)}`).join(' ')}]`;
}

/**
 * Python's float(str): decimal digits with an optional exponent, underscores between digits, inf/infinity/nan in
 * any case — and nothing else (JavaScript's Number() would also take "0x1d", "0b1" and "").
 */
export function parsePyFloat(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(t)) return Number(t.replace(/_/g, ''));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (!special) return undefined;
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}
