// This package's own files, found from its root rather than from the module that asks. The CLI, the load worker and
// the store process ship as esbuild bundles written over tsc's output (src/build/bundle.ts): inside a bundle
// import.meta.url is the bundle's URL, not the original module's, so a path relative to the module
// (`new URL('../worker/worker.js', import.meta.url)`) would point elsewhere. The package root is the same from a
// bundle and from tsc's output: the nearest directory above holding a package.json (dist/ holds none).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface PackageJson {
  name: string;
  version: string;
}

let root: { dir: URL; pkg: PackageJson } | undefined;

/**
 * The package `from` (a file URL inside it) belongs to: the nearest directory at or above it holding a package.json,
 * and that package.json. tsc's output and the bundles both sit under dist/, which holds none, so this is the package
 * root whatever the package is called (a fork or a scoped name included). Throws if no directory above has one: a
 * broken installation, which version.ts meets while it loads — before the CLI's error handling, so Node prints the
 * error and exits 1.
 */
export function findPackageRoot(from: URL): { dir: URL; pkg: PackageJson } {
  for (let dir = new URL('./', from); ; dir = new URL('../', dir)) {
    let text: string | undefined;
    try {
      text = readFileSync(new URL('package.json', dir), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    if (text !== undefined) return { dir, pkg: JSON.parse(text) as PackageJson };
    if (new URL('../', dir).href === dir.href) throw new Error(`no package.json in any directory above ${from.href}`);
  }
}

const findRoot = () => findPackageRoot(new URL(import.meta.url));

/** modelwave's package.json (read once). */
export const packageJson = (): PackageJson => (root ??= findRoot()).pkg;

/** A file of the package by its path from the package root, e.g. `dist/src/engine/worker/worker.js`. */
export const packageFile = (path: string): URL => new URL(path, (root ??= findRoot()).dir);

/** require() as the package root resolves it: modelwave's dependencies, whichever module or bundle asks. */
export const packageRequire = (): NodeJS.Require => createRequire(packageFile('package.json'));
