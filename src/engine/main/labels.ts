import type { Scenario } from '../../spec/types.js';
import { classSpecOf } from '../../spec/classes.js';
import type { QualityConfig } from './accumulate.js';

/** How predictions are scored for this scenario: task, classes, the positive class (spec/classes.ts). */
export function labelsOf(s: Pick<Scenario, 'label' | 'target'>): QualityConfig {
  const c = classSpecOf(s);
  return { task: c.task, classes: c.labels.length, labels: c.labels, positive: c.positiveIndex, outOfClass: c.outOfClass };
}
