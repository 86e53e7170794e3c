// Ids of runs and comparisons: sortable by start (UTC stamp first), readable (a slug of the scenario name), unique
// (six hex digits of a random UUID). Shape: `20261129-194210-telco-demo-3f9a1c`, `…-compare-telco-demo-…`.
import { randomUUID } from 'node:crypto';

const slug = (name: string, max: number): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, max);
/** `20261129-194210`: the UTC start of a run, comparison or search, as every id and default report folder begins. */
export const idStamp = (at: Date = new Date()): string => at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/** `<stamp>-[<kind>-]<slug>-<6 hex>`: one id scheme for every stored or reported thing. */
function newId(name: string, kind?: string, at = new Date()): string {
  const s = slug(name, kind ? 30 : 40) || 'run';
  return `${idStamp(at)}-${kind ? `${kind}-` : ''}${s}-${randomUUID().slice(0, 6)}`;
}

/** A run's id (one target of one wave). */
export const newRunId = (name: string): string => newId(name);

/** A comparison's id (two runs on identical traffic). */
export const newComparisonId = (name: string): string => newId(name, 'compare');
