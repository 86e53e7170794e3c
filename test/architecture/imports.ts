// The module graph of src/, read from the source text: every static `import … from`, `export … from` and dynamic
// `import('…')` with a relative specifier (type-only imports included: a type is a dependency too). Used by the
// architecture test, which also holds the drawing in docs/architecture.md to the code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

/** Every .ts file under src/, as repo-relative paths with forward slashes. */
export function sourceFiles(dir = 'src'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

/** file → the src files it imports. */
export function fileGraph(): Map<string, Set<string>> {
  const files = sourceFiles();
  const known = new Set(files);
  const g = new Map<string, Set<string>>();
  for (const f of files) {
    const deps = new Set<string>();
    for (const m of readFileSync(path.join(ROOT, f), 'utf8').matchAll(SPEC)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[2]!)).replace(/\.js$/, '.ts');
      if (known.has(target) && target !== f) deps.add(target);
    }
    g.set(f, deps);
  }
  return g;
}

/** A file's module: its folder (`src/engine/net`), or the file itself for the files at the top of src/. */
export const moduleOf = (file: string): string => (path.posix.dirname(file) === 'src' ? file.replace(/\.ts$/, '') : path.posix.dirname(file));

/** module → modules it imports (self-imports left out), with the files that make each arrow. */
export function moduleGraph(files = fileGraph()): Map<string, Map<string, string[]>> {
  const g = new Map<string, Map<string, string[]>>();
  for (const [f, deps] of files) {
    const a = moduleOf(f);
    if (!g.has(a)) g.set(a, new Map());
    for (const d of deps) {
      const b = moduleOf(d);
      if (a === b) continue;
      const why = g.get(a)!.get(b) ?? [];
      why.push(`${f} → ${d}`);
      g.get(a)!.set(b, why);
    }
  }
  return g;
}

/** The first circle found in `g` (node list, first node repeated at the end), or undefined when there is none. */
export function findCycle(g: Map<string, Iterable<string>>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of [...g.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}

/** Layers of an acyclic module graph, top first: a module sits one above the highest module it imports. */
export function layers(g: Map<string, Map<string, string[]>>): string[][] {
  const depth = new Map<string, number>();
  const d = (n: string): number => {
    if (depth.has(n)) return depth.get(n)!;
    depth.set(n, 0); // a circle (which the architecture test rejects) must not recurse forever
    const v = Math.max(-1, ...[...(g.get(n)?.keys() ?? [])].map(d)) + 1;
    depth.set(n, v);
    return v;
  };
  const all = new Set([...g.keys(), ...[...g.values()].flatMap((m) => [...m.keys()])]);
  for (const n of all) d(n);
  const out: string[][] = [];
  for (const [n, v] of depth) (out[v] ??= []).push(n);
  return out.map((l) => l.sort()).reverse();
}

/** The drawing kept in docs/architecture.md: a Mermaid graph of the module imports, arrows implied by others left out. */
export function mermaid(g: Map<string, Map<string, string[]>>): string {
  const reach = (from: string, to: string, skip: string): boolean => {
    const seen = new Set<string>();
    const st = [...(g.get(from)?.keys() ?? [])].filter((x) => x !== skip);
    while (st.length) {
      const x = st.pop()!;
      if (x === to) return true;
      if (seen.has(x)) continue;
      seen.add(x);
      st.push(...(g.get(x)?.keys() ?? []));
    }
    return false;
  };
  const id = (m: string) => m.replace(/^src\/?/, '').replace(/[^a-z0-9]+/gi, '_') || 'src';
  const label = (m: string) => m.replace(/^src\//, '');
  const lines = ['```mermaid', 'graph TD'];
  for (const layer of layers(g)) for (const m of layer) lines.push(`  ${id(m)}["${label(m)}"]`);
  for (const [a, deps] of [...g].sort(([x], [y]) => x.localeCompare(y))) {
    for (const b of [...deps.keys()].sort()) if (!reach(a, b, b)) lines.push(`  ${id(a)} --> ${id(b)}`);
  }
  lines.push('```');
  return lines.join('\n');
}
