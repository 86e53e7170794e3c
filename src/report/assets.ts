// Chart library assets inlined into pages that chart live or over time (the dashboard, `history --html`): uPlot's
// script and style read from node_modules once, so a page needs no CDN and works offline.
import { readFileSync } from 'node:fs';
import { packageRequire } from '../util/package-files.js';

let assets: { js: string; css: string } | undefined;

/** uPlot's minified script and style, read once. */
export function uplotAssets(): { js: string; css: string } {
  if (assets) return assets;
  const require = packageRequire();
  return (assets = {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  });
}
