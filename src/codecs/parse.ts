// The slow path for response bodies JSON.parse refuses: TensorFlow Serving writes non-finite floats as the bare
// tokens NaN, Infinity and -Infinity (tensorflow_serving/g3doc/api_rest.md, "JSON conformance"), and so does
// Python's json.dumps by default (MLflow). Those tokens, outside strings, are read as null — one unscored row,
// not a failed request. Used only after the fast JSON.parse failed.

const TOKENS: [string, number][] = [
  ['NaN', 3],
  ['Infinity', 8],
  ['-Infinity', 9],
];

export function parseJsonTolerant(body: string): { ok: true; value: unknown } | { ok: false } {
  let out = '';
  let from = 0;
  let inString = false;
  let replaced = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x4e && c !== 0x49 && c !== 0x2d) continue; // N, I, -
    const token = TOKENS.find(([t]) => body.startsWith(t, i));
    if (!token) continue;
    out += body.slice(from, i) + 'null';
    i += token[1] - 1;
    from = i + 1;
    replaced = true;
  }
  if (!replaced) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(out + body.slice(from)) };
  } catch {
    return { ok: false };
  }
}
