// A strict JSON (RFC 8259) syntax check that says where the first mistake is. JSON.parse on Node 20 gives no line
// or column (and for some mistakes no position at all), accepts duplicate keys (the last one silently wins) and
// knows no depth limit; this scanner is iterative (an explicit stack, so any nesting is safe to scan) and stops at
// the first problem. The value itself is still built by JSON.parse once this passes.

interface JsonProblem {
  /** UTF-16 offset into the text. */
  offset: number;
  message: string;
  /** Set when the problem is the nesting limit rather than the syntax. */
  tooDeep?: boolean;
}

const enum State {
  Value,
  ValueOrClose, // just after `[`
  KeyOrClose, // just after `{`
  Key,
  After, // after a complete value
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[^\s,:[\]{}"]{1,20}/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

const show = (c: string | undefined): string => (c === undefined ? 'the end of the file' : JSON.stringify(c));

/** The first syntax problem of `text` as JSON, or undefined when it is valid. Nesting deeper than `maxDepth` is one. */
export function checkJson(text: string, maxDepth: number): JsonProblem | undefined {
  const n = text.length;
  const stack: (Set<string> | null)[] = []; // per open container: its keys (object) or null (array)
  let i = 0;
  let state = State.Value;
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (state === State.After) {
      if (stack.length === 0) return c === undefined ? undefined : { offset: i, message: `unexpected ${show(c)} after the end of the JSON value` };
      const keys = stack[stack.length - 1]!;
      const close = keys ? '}' : ']';
      if (c === ',') {
        i++;
        state = keys ? State.Key : State.Value;
      } else if (c === close) {
        i++;
        stack.pop();
      } else {
        const hint = c === '"' ? '; a comma is missing' : c !== undefined && c >= '0' && c <= '9' && text[i - 1] === '0' ? '; numbers have no leading zeros' : '';
        return { offset: i, message: `expected ',' or '${close}' (got ${show(c)})${hint}` };
      }
      continue;
    }
    if ((state === State.KeyOrClose && c === '}') || (state === State.ValueOrClose && c === ']')) {
      i++;
      stack.pop();
      state = State.After;
      continue;
    }
    if (state === State.Key || state === State.KeyOrClose) {
      if (c !== '"') {
        const trailing = state === State.Key && c === '}';
        return { offset: i, message: trailing ? 'trailing comma before \'}\' (JSON allows none)' : `expected a double-quoted property name (got ${show(c)})` };
      }
      const start = i;
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      const key = JSON.parse(text.slice(start, end)) as string;
      const keys = stack[stack.length - 1]!;
      if (keys.has(key)) return { offset: start, message: `duplicate key ${JSON.stringify(key)} (each key may appear once per object)` };
      keys.add(key);
      i = end;
      skipSpace();
      if (text[i] !== ':') return { offset: i, message: `expected ':' after the property name (got ${show(text[i])})` };
      i++;
      state = State.Value;
      continue;
    }
    // A value is expected here.
    if (c === '{' || c === '[') {
      if (stack.length >= maxDepth) {
        return { offset: i, message: `nests deeper than ${maxDepth} levels`, tooDeep: true };
      }
      stack.push(c === '{' ? new Set() : null);
      i++;
      state = c === '{' ? State.KeyOrClose : State.ValueOrClose;
      continue;
    }
    if (c === '"') {
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      state = State.After;
      continue;
    }
    NUMBER.lastIndex = i;
    if ((c === '-' || (c !== undefined && c >= '0' && c <= '9')) && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      state = State.After;
      continue;
    }
    const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (literal) {
      i += literal.length;
      state = State.After;
      continue;
    }
    if (c === undefined) return { offset: i, message: 'unexpected end of the file: a value is missing' };
    if (c === ']' && state === State.Value && stack.length) return { offset: i, message: "trailing comma before ']' (JSON allows none)" };
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0] ?? c;
    const near = ['true', 'false', 'null'].find((w) => w.startsWith(word.toLowerCase()) || word.toLowerCase().startsWith(w));
    const hint =
      c === "'" ? '; JSON strings use double quotes' : near ? `; did you mean ${near}?` : /^[A-Za-z_]/.test(word) ? '; strings must be double-quoted' : '';
    return { offset: i, message: `expected a value (got ${JSON.stringify(word)})${hint}` };
  }
}

/** End offset (after the closing quote) of the string starting at `start`, or the problem inside it. */
function scanString(text: string, start: number): number | JsonProblem {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (Number.isNaN(c)) return { offset: start, message: 'unterminated string: the closing " is missing' };
    if (c === 0x22) return i + 1;
    if (c < 0x20) {
      const name = c === 0x0a ? 'a line break' : c === 0x09 ? 'a tab' : `control character U+${c.toString(16).padStart(4, '0')}`;
      return { offset: i, message: `${name} inside a string must be escaped (\\n, \\t, \\u00XX)` };
    }
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: 'bad \\u escape: expected 4 hex digits' };
        i += 6;
        continue;
      }
      if (e === undefined || !ESCAPES.has(e)) return { offset: i, message: `bad escape \\${e ?? ''} in a string` };
      i += 2;
      continue;
    }
    i++;
  }
}
