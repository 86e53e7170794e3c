// Chart library assets inlined into pages that chart live or over time (the dashboard, `history --html`): uPlot's
// script and style read from node_modules once, so a page needs no CDN and works offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let assets: { js: string; css: string } | undefined;

/** uPlot's minified script and style, read once. */
export function uplotAssets(): { js: string; css: string } {
  return (assets ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  });
}
