// TF Serving writes its answers with rapidjson's PrettyWriter (4-space indent), switching each row of the batch to
// kFormatSingleLineArray, and prints floats its own way (WriteDecimal). The result is the familiar
//   {
//       "predictions": [[0.87], [0.12]
//       ]
//   }
// Sources: Tencent/rapidjson include/rapidjson/prettywriter.h (PrettyPrefix, EndArray, EndObject);
// tensorflow/serving tensorflow_serving/util/json_tensor.cc (WriteDecimal, MakeRowFormatJsonFromTensors).

/** %g with `precision` significant digits, as C's printf prints it. */
function formatG(v: number, precision: number): string {
  if (v === 0) return '0';
  const [mant, expText] = v.toExponential(precision - 1).split('e');
  const e = Number(expText);
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (e < -4 || e >= precision) return `${strip(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return strip(v.toFixed(precision - 1 - e));
}

/**
 * WriteDecimal<float|double>: absl::StrCat (six significant digits), full precision (%.9g / %.17g) when that does
 * not round-trip, ".0" added to whole numbers; NaN and ±Infinity as bare tokens.
 */
export function tfDecimal(v: number, float32: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  const narrow = (x: number) => (float32 ? Math.fround(x) : x);
  const value = narrow(v);
  let s = formatG(value, 6);
  if (narrow(Number(s)) !== value) s = formatG(value, float32 ? 9 : 17);
  if (!s.includes('.') && !s.includes('e')) s += '.0';
  return s;
}

/** A number already formatted: written as is (rapidjson RawValue with kNumberType). */
export class Raw {
  constructor(readonly text: string) {}
}
export type RapidValue = null | boolean | number | string | Raw | RapidValue[] | { [k: string]: RapidValue };

interface Level {
  inArray: boolean;
  count: number;
}

/** rapidjson::PrettyWriter with the two format options TF Serving uses. */
class PrettyWriter {
  private out = '';
  private readonly stack: Level[] = [];
  singleLineArray = false;

  private indent(): void {
    this.out += ' '.repeat(4 * this.stack.length);
  }

  private prefix(): void {
    const level = this.stack.at(-1);
    if (!level) return;
    if (level.inArray) {
      if (level.count > 0) {
        this.out += ',';
        if (this.singleLineArray) this.out += ' ';
      }
      if (!this.singleLineArray) {
        this.out += '\n';
        this.indent();
      }
    } else {
      if (level.count > 0) this.out += level.count % 2 === 0 ? ',\n' : ': ';
      else this.out += '\n';
      if (level.count % 2 === 0) this.indent();
    }
    level.count++;
  }

  key(k: string): this {
    this.prefix();
    this.out += JSON.stringify(k);
    return this;
  }

  value(v: RapidValue): this {
    if (Array.isArray(v)) {
      this.startArray();
      for (const x of v) this.value(x);
      return this.endArray();
    }
    if (v !== null && typeof v === 'object' && !(v instanceof Raw)) {
      this.startObject();
      for (const [k, x] of Object.entries(v)) this.key(k).value(x);
      return this.endObject();
    }
    this.prefix();
    this.out += v instanceof Raw ? v.text : JSON.stringify(v);
    return this;
  }

  startObject(): this {
    this.prefix();
    this.stack.push({ inArray: false, count: 0 });
    this.out += '{';
    return this;
  }

  endObject(): this {
    const empty = this.stack.pop()!.count === 0;
    if (!empty) {
      this.out += '\n';
      this.indent();
    }
    this.out += '}';
    return this;
  }

  startArray(): this {
    this.prefix();
    this.stack.push({ inArray: true, count: 0 });
    this.out += '[';
    return this;
  }

  endArray(): this {
    const empty = this.stack.pop()!.count === 0;
    if (!empty && !this.singleLineArray) {
      this.out += '\n';
      this.indent();
    }
    this.out += ']';
    return this;
  }

  toString(): string {
    return this.out;
  }
}

/** MakeRowFormatJsonFromTensors: {"predictions": [row, row, …]}, each row written in single-line-array mode. */
export function rowFormat(rows: readonly RapidValue[]): string {
  const w = new PrettyWriter();
  w.startObject().key('predictions').startArray();
  for (const row of rows) {
    w.singleLineArray = true;
    w.value(row);
    w.singleLineArray = false;
  }
  return w.endArray().endObject().toString();
}

/** MakeColumnarFormatJsonFromTensors: {"outputs": value}. */
export function columnarFormat(value: RapidValue): string {
  return new PrettyWriter().startObject().key('outputs').value(value).endObject().toString();
}
