// Scenario file → plain value, with the limits that keep a hostile or mistaken file from exhausting the process:
// a size cap read without trusting the file (a device such as /dev/zero, or a file that grows, never gets read
// whole), a nesting cap checked before anything recursive runs, and a cap on YAML alias expansion (alias bombs).
// `.json` files are parsed as strict JSON. Every failure is MW_FILE (exit 2) naming the file, the place and the limit.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { Composer, LineCounter, Parser, visit, type CST, type Document } from 'yaml';
import { ModelwaveError } from '../errors.js';
import { checkJson } from './json-check.js';

export const SCENARIO_LIMITS = {
  /** Scenarios are a page of YAML; large data belongs in data.source. */
  fileBytes: 10 * 1024 * 1024,
  /** Far beyond any real scenario (≈ 8), far below what recursive code (yaml, zod, our walkers) can take. */
  depth: 64,
  /** Nodes YAML aliases may expand to (yaml's `maxAliasCount`); a real scenario reuses an anchor a few times. */
  aliasNodes: 1000,
  /**
   * Values a file with aliases may expand to. yaml's count ignores the width of an anchored collection, so a wide
   * anchor aliased many times passes it; everything after parsing walks the expanded value.
   */
  expandedValues: 100_000,
} as const;

interface ParsedSource {
  value: unknown;
  /** The YAML document (also for JSON, which is YAML), for line:col of validation problems; absent if unavailable. */
  doc?: Document;
  lines?: LineCounter;
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
const fileError = (message: string, details: string[] = [], cause?: unknown) =>
  new ModelwaveError('MW_FILE', message, details, cause === undefined ? undefined : { cause });

/** The scenario text: a regular file of at most SCENARIO_LIMITS.fileBytes, UTF-8. */
export function readScenarioFile(path: string): string {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw fileError(`cannot read scenario ${path}: ${errnoWhy(err)}`, [], err);
  }
  if (st.isDirectory()) throw fileError(`cannot read scenario ${path}: it is a directory`);
  // A device, pipe or socket has no size to check (and /dev/zero never ends); a FIFO would block on open.
  if (!st.isFile()) throw fileError(`cannot read scenario ${path}: it is not a regular file (${kindOf(st)}); give the path of a .yaml or .json file`);
  const limit = SCENARIO_LIMITS.fileBytes;
  const tooBig = (size: string) =>
    fileError(`scenario ${path} is ${size}, over the ${mib(limit)} limit for scenario files; keep large data in a data.source file (CSV or JSONL)`);
  if (st.size > limit) throw tooBig(mib(st.size));
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, limit + 1, st.size);
  } catch (err) {
    throw fileError(`cannot read scenario ${path}: ${errnoWhy(err)}`, [], err);
  }
  // The size said one thing, the read another (the file grew, or a /proc-like file reports 0).
  if (bytes.length > limit) throw tooBig(`more than ${mib(limit)}`);
  return decodeUtf8(bytes, path);
}

function readAtMost(path: string, maxBytes: number, sizeHint: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes - total, Math.max(sizeHint + 1, 64 * 1024)));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function decodeUtf8(bytes: Buffer, path: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileError(`scenario ${path} is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8`);
  }
  try {
    // fatal: invalid UTF-8 is an error rather than U+FFFD; a UTF-8 byte order mark is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileError(`scenario ${path} is not UTF-8 text (is it a binary file?); save it as UTF-8`);
  }
}

function errnoWhy(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return (err as Error).message;
  }
}

function kindOf(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Parse scenario text: strict JSON when `file` ends in .json, YAML otherwise. */
export function parseScenarioSource(text: string, file: string): ParsedSource {
  const parsed = /\.json$/i.test(file) ? parseJson(text, file) : parseYaml(text, file);
  if (parsed.value === null || parsed.value === undefined) {
    throw fileError(`scenario ${file} is empty: expected a mapping with target, data and load`);
  }
  return parsed;
}

function parseJson(text: string, file: string): ParsedSource {
  if (text.trim() === '') return { value: undefined };
  const lines = lineCounterFor(text);
  const problem = checkJson(text, SCENARIO_LIMITS.depth);
  if (problem) {
    const at = where(file, lines, problem.offset);
    if (problem.tooDeep) throw tooDeep(file, at);
    throw fileError(`scenario ${file} is not valid JSON: ${at}: ${problem.message}`);
  }
  const value: unknown = JSON.parse(text);
  // Positions of validation problems come from the YAML reading of the same text (JSON is YAML); when YAML reads it
  // differently, problems are still reported, without line numbers.
  const docs = [...new Composer({ uniqueKeys: true }).compose(new Parser().parse(text), true, text.length)];
  const doc = docs.length === 1 && docs[0]!.errors.length === 0 ? docs[0] : undefined;
  return { value, ...(doc && { doc, lines }) };
}

function parseYaml(text: string, file: string): ParsedSource {
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const { deep, aliases } = scanCst(tokens, SCENARIO_LIMITS.depth);
  if (deep !== undefined) throw tooDeep(file, where(file, lines, deep));
  const docs = [...new Composer({ uniqueKeys: true }).compose(tokens, true, text.length)];
  const doc = docs[0]!;
  const errors = doc.errors.map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') }));
  if (docs.length > 1) errors.push({ offset: docs[1]!.range[0], message: 'a second YAML document (after ---): a scenario file holds one' });
  if (errors.length) {
    const details = errors.map((e) => `${where(file, lines, e.offset)}: ${e.message}`);
    throw fileError(`scenario ${file} is not valid YAML: ${details[0]}`, details.slice(1));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: SCENARIO_LIMITS.aliasNodes });
  } catch (err) {
    // yaml throws ReferenceError for an alias bomb and for an alias used before its anchor.
    const message = (err as Error).message;
    if (/Excessive alias count/.test(message)) {
      throw fileError(
        `scenario ${file}: YAML aliases (*name) expand to more than ${SCENARIO_LIMITS.aliasNodes} nodes, the limit that stops alias bombs; write the values out or reuse fewer anchors`,
      );
    }
    const alias = /Unresolved alias/.test(message) ? firstUnresolvedAlias(doc) : undefined;
    const at = alias ? `${where(file, lines, alias.offset)}: ` : '';
    const why = alias ? `*${alias.name} refers to no anchor &${alias.name} above it` : message;
    throw fileError(`scenario ${file} is not valid YAML: ${at}${why}`, [], err);
  }
  // Aliases can nest an anchored collection inside another or inside itself (a cycle), and multiply a wide one.
  const expanded = aliases ? checkExpanded(value, SCENARIO_LIMITS.depth, SCENARIO_LIMITS.expandedValues) : undefined;
  if (expanded === 'deep') {
    throw fileError(
      `scenario ${file} nests deeper than ${SCENARIO_LIMITS.depth} levels once its YAML aliases (*name) are expanded, the limit for scenario files (an alias inside its own anchor never ends); write the values out`,
    );
  }
  if (expanded === 'wide') {
    throw fileError(
      `scenario ${file}: YAML aliases (*name) expand it to more than ${SCENARIO_LIMITS.expandedValues} values, the limit that stops alias bombs; write the values out or reuse fewer anchors`,
    );
  }
  return { value, doc, lines };
}

/** Walk the expanded value (iteratively; stops at the first breach): too deep, too many values, or fine. */
function checkExpanded(value: unknown, maxDepth: number, maxValues: number): 'deep' | 'wide' | undefined {
  const todo: [unknown, number][] = [[value, 0]];
  let values = 0;
  while (todo.length) {
    const [v, depth] = todo.pop()!;
    if (++values > maxValues) return 'wide';
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return 'deep';
    for (const child of Object.values(v)) todo.push([child, depth + 1]);
  }
  return undefined;
}

const tooDeep = (file: string, at: string) =>
  fileError(`scenario ${file} nests deeper than ${SCENARIO_LIMITS.depth} levels (at ${at}), the limit for scenario files; flatten the structure`);

function where(file: string, lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `${file}:${line}:${col}`;
}

function lineCounterFor(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/**
 * In the concrete syntax tree: the offset of the first collection nested deeper than `maxDepth`, and whether any
 * alias is used. Iterative: the tree may be arbitrarily deep (the CST parser keeps its own stack; composing recurses).
 */
function scanCst(tokens: CST.Token[], maxDepth: number): { deep?: number; aliases: boolean } {
  const todo: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  let aliases = false;
  while (todo.length) {
    const [tok, depth] = todo.pop()!;
    switch (tok.type) {
      case 'document':
        if (tok.value) todo.push([tok.value, depth]);
        break;
      case 'alias':
        aliases = true;
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        if (depth + 1 > maxDepth) return { deep: tok.offset, aliases };
        for (const item of tok.items) {
          if (item.key) todo.push([item.key, depth + 1]);
          if (item.value) todo.push([item.value, depth + 1]);
        }
        break;
      default:
        break;
    }
  }
  return { aliases };
}

/** The first alias without an anchor before it (depth is already bounded, so the recursive visit is safe). */
function firstUnresolvedAlias(doc: Document): { offset: number; name: string } | undefined {
  let found: { offset: number; name: string } | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) === undefined) {
        found = { offset: node.range?.[0] ?? 0, name: node.source };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
