// This package's own files, found from its root rather than from the module that asks. The CLI, the load worker and
// the store process ship as esbuild bundles written over tsc's output (src/build/bundle.ts): inside a bundle
// import.meta.url is the bundle's URL, not the original module's, so a path relative to the module
// (`new URL('../worker/worker.js', import.meta.url)`) would point elsewhere. The package root is the same from a
// bundle and from tsc's output: the nearest directory above whose package.json is modelwave's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface PackageJson {
  name: string;
  version: string;
}

const NAME = 'modelwave';
let root: { dir: URL; pkg: PackageJson } | undefined;

function findRoot(): { dir: URL; pkg: PackageJson } {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    let pkg: PackageJson | undefined;
    try {
      pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as PackageJson;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (pkg?.name === NAME) return { dir, pkg };
    if (new URL('../', dir).href === dir.href) {
      // A broken installation, not a user error: it surfaces as MW_INTERNAL (errors.ts toModelwaveError).
      throw new Error(`no package.json named ${NAME} in any directory above ${import.meta.url}`);
    }
  }
}

/** modelwave's package.json (read once). */
export const packageJson = (): PackageJson => (root ??= findRoot()).pkg;

/** A file of the package by its path from the package root, e.g. `dist/src/engine/worker/worker.js`. */
export const packageFile = (path: string): URL => new URL(path, (root ??= findRoot()).dir);

/** require() as the package root resolves it: modelwave's dependencies, whichever module or bundle asks. */
export const packageRequire = (): NodeJS.Require => createRequire(packageFile('package.json'));
