// The shipped CLI, load worker and store process as esbuild bundles (issue #19: start-up CPU). `npm run build` runs
// tsc first — the type check, and dist/ for the library, the tests, the benchmarks and this file
// (dist/src/build/bundle.js) — then this, which writes the three entry points over tsc's output of them
// (dist/src/cli/main.js, dist/src/engine/worker/worker.js, dist/src/store/store-process.js), with the code they share
// and what they load lazily in dist/src/chunks/. So the `modelwave` bin, `npm start` and every test or benchmark that
// runs dist/src/cli/main.js run the bundles, while tests that import dist/src/<module>.js test tsc's modules; tsc
// alone (`npx tsc`) leaves a build that works unbundled. Unbundled, a run's two threads open ~370 JavaScript files
// (zod alone is 95) and Node's ESM loader resolves and compiles each; bundled, ~75.
//
// Split, not one file per entry: without splitting every lazy import() (the HTML report and its chart libraries,
// undici for TLS, prom-client, the store) is inlined, and parsing the 1.7–4.8 MB that gives cost back most of what the
// bundle saves (`validate`: 243–267 ms of CPU, against 184 ms split and 281 ms unbundled). Split, each import() is a
// chunk loaded when it runs, so lazy stays lazy. In a bundle or a chunk import.meta.url is that output file's URL, not
// the original module's: paths to the package's own files go through src/util/package-files.ts.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { staleChunks } from './prune.js';

const root = new URL('../../../', import.meta.url); // from dist/src/build/bundle.js

// Packages left to Node's loader, each for a reason of its own; every other dependency is bundled.
const EXTERNAL = [
  'piscina', // starts its own worker file (piscina/dist/worker.js), found relative to itself
  '@electric-sql/pglite', // reads its .wasm and .data files relative to itself
  'pg', // requires its optional native binding (pg-native) on demand; only a Postgres store or a shard loads it
  '@faker-js/faker', // required at run time, and only its English locale (src/data/faker.ts): never in a bundle
  'undici', // CommonJS, loaded by import() (src/engine/net/tls.ts): see the check below
];

const result = await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: ['src/cli/main.ts', 'src/engine/worker/worker.ts', 'src/store/store-process.ts'],
  outbase: 'src',
  outdir: 'dist/src',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // Bundled CommonJS packages (commander, yaml, cli-progress, prom-client, …) call require(); an ES module has
  // none. (esbuild renames a bundled module's own top-level `require`, so this one cannot clash.)
  banner: { js: "import { createRequire as __mwCreateRequire } from 'node:module'; const require = __mwCreateRequire(import.meta.url);" },
  // Stack traces name the bundle's file and line (readable: not minified, each module headed by its source path);
  // `node --enable-source-maps` maps them to src/*.ts. Sources are not embedded: they are in the package.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// A bundled CommonJS package reached by import() becomes a chunk whose only export is `default` (module.exports),
// where Node's loader also gives its named exports: `const { Agent } = await import('undici')` gets undefined. Such a
// package must stay external (static imports of CommonJS are fine: esbuild reads their names at the import).
for (const out of Object.values(result.metafile.outputs)) {
  const from = out.entryPoint;
  if (from?.includes('node_modules/') && result.metafile.inputs[from]?.format === 'cjs') {
    throw new Error(`${from} is CommonJS and loaded by import(): its chunk would export only \`default\`; add its package to EXTERNAL in src/build/bundle.ts`);
  }
}

// Old chunks go a day after a build stops writing them (src/build/prune.ts), not before the build: a run started
// before this rebuild may still import some of its chunks by their old names.
const chunkDir = fileURLToPath(new URL('dist/src/chunks/', root));
const written = new Set<string>();
for (const out of Object.keys(result.metafile.outputs)) {
  if (path.dirname(path.resolve(fileURLToPath(root), out)) !== path.resolve(chunkDir)) continue;
  written.add(path.basename(out)); // the metafile lists each chunk's .js.map beside its .js
}
for (const f of staleChunks(chunkDir, written, Date.now())) rmSync(f, { force: true });
