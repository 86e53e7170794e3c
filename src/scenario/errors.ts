// Validation problems: where they are (path → file:line:col via the YAML document) and how they read.
// Every problem is one sentence: `<path> <predicate>`, e.g. `load.phases[1].rate must be a positive number (got -5)`.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type * as z from 'zod';
export { didYouMean, editDistance } from '../util/did-you-mean.js';
export { describeValue, formatPath, type Path, type PathSegment } from '../util/describe.js';
import { describeValue, formatPath, type Path, type PathSegment } from '../util/describe.js';
import { didYouMean } from '../util/did-you-mean.js';

export interface Problem {
  path: Path;
  /** A predicate on the path: "must be a positive number (got -5)", "is not a known key; did you mean `rampTo`?". */
  message: string;
  /** Point at the key rather than its value (unknown keys). */
  at?: 'key' | 'value';
  /** Set when the problem is structural (from the schema): semantic checks skip that subtree. */
  structural?: boolean;
}

export interface Located extends Problem {
  line?: number;
  col?: number;
}

export const problemText = (p: Problem): string => `${formatPath(p.path)} ${p.message}`;

/** `file:line:col: <problem>` (line and column when the parser knows them). */
export function formatLocated(file: string, p: Located): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
  return `${where}: ${problemText(p)}`;
}


function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

// ---- positions ----

/** Finds the line:col of a path in the YAML document (nearest existing ancestor when the path is missing). */
export class Positions {
  constructor(
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  locate(path: Path, at: 'key' | 'value' = 'value'): { line: number; col: number } | undefined {
    if (!this.doc || !this.lines) return undefined;
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let found = true;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) {
          found = false;
          break;
        }
        keyNode = pair.key as Node;
        node = pair.value ?? undefined;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        keyNode = undefined;
        node = node.items[seg];
      } else {
        found = false;
        break;
      }
    }
    const valueNode = node as Node | undefined;
    const emptyValue = !valueNode?.range || (isScalar(valueNode) && valueNode.value === null);
    // A block mapping or list starts on the line after its key; the key is where the reader looks.
    const collection = isMap(valueNode) || isSeq(valueNode);
    const target = (at === 'key' || !found || emptyValue || collection) && keyNode ? keyNode : valueNode;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    return this.lines.linePos(offset);
  }
}

// ---- zod issues → problems ----

type ZodIssue = z.core.$ZodIssue;

interface DefLike {
  type: string;
  shape?: Record<string, SchemaLike>;
  innerType?: SchemaLike;
  element?: SchemaLike;
  valueType?: SchemaLike;
  options?: SchemaLike[];
  items?: SchemaLike[];
  getter?: () => SchemaLike;
  in?: SchemaLike;
}
interface SchemaLike {
  _zod: { def: DefLike };
}

/** Keys allowed at a path, merged over union branches (for "did you mean"). */
function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  const out = new Set<string>();
  const walk = (s: SchemaLike | undefined, rest: Path, depth: number): void => {
    if (!s || depth > 40) return;
    const d = s._zod.def;
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        return walk(d.innerType, rest, depth + 1);
      case 'lazy':
        return walk(d.getter?.(), rest, depth + 1);
      case 'pipe':
        return walk(d.in, rest, depth + 1);
      case 'union':
        for (const o of d.options ?? []) walk(o, rest, depth + 1);
        return;
      case 'object':
        if (rest.length === 0) for (const k of Object.keys(d.shape ?? {})) out.add(k);
        else walk(d.shape?.[String(rest[0])], rest.slice(1), depth + 1);
        return;
      case 'array':
        if (rest.length) walk(d.element, rest.slice(1), depth + 1);
        return;
      case 'tuple':
        if (rest.length) walk(d.items?.[Number(rest[0])], rest.slice(1), depth + 1);
        return;
      case 'record':
        if (rest.length) walk(d.valueType, rest.slice(1), depth + 1);
        return;
      default:
        return;
    }
  };
  walk(schema as unknown as SchemaLike, path, 0);
  return [...out];
}

const DEFAULT_MESSAGE = /^(Invalid input|Invalid option|Too small|Too big|Invalid)/;

function defaultPredicate(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array' ? `must have at least ${issue.minimum} items` : `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return 'is not valid';
  }
}

/**
 * Translate zod issues into problems. Unions are resolved to the branch the user evidently meant (the one whose
 * type matches and whose required keys are present), so `{ int: [1, "a"] }` reports `int[1]`, not "invalid input".
 */
export function issuesToProblems(issues: readonly ZodIssue[], raw: unknown, schema: z.ZodType, base: Path = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path: Path = [...base, ...(issue.path as PathSegment[])];
    const value = valueAt(raw, path);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path);
      for (const key of issue.keys) out.push(unknownKey([...path, key], key, allowed));
      continue;
    }
    if (issue.code === 'invalid_union') {
      const branch = pickBranch(issue.errors, value);
      if (branch) {
        out.push(...issuesToProblems(branch, raw, schema, path));
        continue;
      }
      out.push({ path, message: `${unionMessage(issue, value, schema, path)}`, structural: true });
      continue;
    }
    if (value === undefined && issue.code === 'invalid_type') {
      out.push({ path, message: 'is required', structural: true });
      continue;
    }
    const predicate = DEFAULT_MESSAGE.test(issue.message) ? defaultPredicate(issue) : issue.message;
    const suggestion = issue.code === 'invalid_value' && typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : undefined;
    out.push({
      path,
      message: `${predicate} (got ${describeValue(value)})${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      structural: true,
    });
  }
  return out;
}

function unknownKey(path: Path, key: string, allowed: readonly string[]): Problem {
  const hint = didYouMean(key, allowed);
  const visible = allowed.filter((k) => k !== '$schema');
  return {
    path,
    message: hint ? `is not a known key; did you mean \`${hint}\`?` : `is not a known key (expected one of: ${visible.join(', ')})`,
    at: 'key',
    structural: true,
  };
}

/** A branch is plausible when its type matches the value and the keys it requires are present. */
function pickBranch(branches: readonly (readonly ZodIssue[])[], value: unknown): readonly ZodIssue[] | undefined {
  // A mismatch of the value itself (wrong type, not the literal) or a missing required key rules a branch out;
  // a nested union is resolved in turn.
  const implausible = (i: ZodIssue) =>
    (i.code !== 'unrecognized_keys' && i.code !== 'invalid_union' && i.path.length === 0) ||
    (i.code !== 'unrecognized_keys' && i.path.length > 0 && valueAt(value, [i.path[0] as PathSegment]) === undefined);
  const plausible = branches.filter((issues) => !issues.some(implausible));
  return plausible.length === 1 ? plausible[0] : undefined;
}

function unionMessage(issue: ZodIssue, value: unknown, schema: z.ZodType, path: Path): string {
  const base = DEFAULT_MESSAGE.test(issue.message) ? 'is not valid' : issue.message;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const allowed = allowedKeysAt(schema, path);
    const hints = keys.filter((k) => !allowed.includes(k)).map((k) => [k, didYouMean(k, allowed)] as const);
    const hint = hints.find(([, h]) => h);
    const got = keys.length ? `got keys: ${keys.join(', ')}` : 'got an empty mapping';
    return `${base} (${got})${hint ? `; did you mean \`${hint[1]}\` instead of \`${hint[0]}\`?` : ''}`;
  }
  return `${base} (got ${describeValue(value)})`;
}
