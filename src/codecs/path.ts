// Read-only paths into parsed JSON responses: `response.prediction`, `outputs[0].data`, `predictions[*].label`.
// Parsed once when the codec is built, walked per response; no eval. A key applied to an array maps over its
// elements, so `result.label` reads one label per row from a list of result objects (`[*]` says so explicitly).
import { ModelwaveError } from '../errors.js';

export const EACH: unique symbol = Symbol('each');
export type PathSegment = string | number | typeof EACH;

/**
 * `a.b[0].c`, `[0]`, `a["key.with.dots"]`, `a[*].b`, `a[-1]` (from the end); `''` or `$` is the root.
 * `where` names the setting in error messages (e.g. `target.predictionPath`).
 */
export function parsePath(path: string, where: string): PathSegment[] {
  const fail = (why: string): never => {
    throw new ModelwaveError('MW_SCENARIO_INVALID', `${where} is not a valid path (${why}): ${JSON.stringify(path)}`, [
      `${where}: use dot keys and [index], e.g. "outputs[0].data" or "response.prediction".`,
    ]);
  };
  const segs: PathSegment[] = [];
  let i = path.startsWith('$') ? 1 : 0;
  if (i === 1 && path[1] === '.') i = 2;
  let expectKey = true; // at the start or after a dot
  while (i < path.length) {
    const ch = path[i];
    if (ch === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) fail('unclosed [');
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') segs.push(EACH);
      else if (/^-?\d+$/.test(inner)) segs.push(Number(inner));
      else if (/^(["']).*\1$/.test(inner) && inner.length >= 2) segs.push(inner.slice(1, -1));
      else fail(`bad index [${inner}]`);
      i = close + 1;
      expectKey = false;
    } else if (ch === '.') {
      if (expectKey) fail('empty key');
      i++;
      expectKey = true;
      if (i === path.length) fail('ends with a dot');
    } else {
      if (!expectKey) fail(`expected . or [ before ${JSON.stringify(path.slice(i))}`);
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const key = path.slice(i, end);
      if (key.includes(']')) fail('stray ]');
      segs.push(key);
      i = end;
      expectKey = false;
    }
  }
  return segs;
}

/** The value at `segs` under `root`, or undefined. Only own properties are read. */
export function getPath(root: unknown, segs: readonly PathSegment[], from = 0): unknown {
  let v: unknown = root;
  for (let i = from; i < segs.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    const s = segs[i];
    if (s === EACH) {
      if (!Array.isArray(v)) return undefined;
      const next = i + 1;
      return v.map((x) => getPath(x, segs, next));
    }
    if (typeof s === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[s < 0 ? v.length + s : s];
    } else if (Array.isArray(v)) {
      const at = i;
      return v.map((x) => getPath(x, segs, at));
    } else {
      v = Object.hasOwn(v, s) ? (v as Record<string, unknown>)[s] : undefined;
    }
  }
  return v;
}
