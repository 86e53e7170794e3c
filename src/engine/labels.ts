import type { Scenario } from '../scenario/types.js';
import type { QualityConfig } from './accumulate.js';

/** How predictions are scored for this scenario: task, classes, and the positive class for binary metrics. */
export function labelsOf(s: Scenario): QualityConfig {
  const l = s.label;
  if (!l) return { task: 'none', classes: 0, labels: [], positive: -1 };
  if (l.task === 'regression') return { task: 'regression', classes: 0, labels: [], positive: -1 };
  const labels = l.classes.map(String);
  const positive = l.positive !== undefined ? labels.indexOf(String(l.positive)) : labels.length === 2 ? 1 : -1;
  return { task: 'classification', classes: labels.length, labels, positive };
}
