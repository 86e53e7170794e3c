// Shared builders for the data tests: a complete normalized Scenario around the data/label parts under test.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { CsvSource, FieldSpec, LabelSpec, Scenario } from '../../src/spec/types.js';

export interface ScenarioParts {
  seed?: number;
  fields?: Record<string, FieldSpec>;
  source?: CsvSource;
  label?: LabelSpec;
  progressRequests?: number;
  rowsPerRequest?: number;
}

export function scenario(parts: ScenarioParts): Scenario {
  return {
    name: 'data-test',
    seed: parts.seed ?? 42,
    file: '/tmp/data-test.yaml',
    target: {
      url: 'http://127.0.0.1:1/model',
      protocol: 'cloudera',
      headers: {},
      timeoutMs: 1000,
      rowsPerRequest: parts.rowsPerRequest ?? 1,
      maxInFlight: 100,
    },
    data: {
      fields: Object.entries(parts.fields ?? {}).map(([name, spec]) => ({ name, spec })),
      source: parts.source,
    },
    label: parts.label,
    load: { phases: [], workers: 1 },
    windows: { kind: 'count', every: 100 },
    thresholds: [],
    progressRequests: parts.progressRequests ?? 1000,
    redacted: {},
  };
}

/** The telco lab's fields (shared-decisions.md), plus the default scenario's categorical and faker columns. */
export const TELCO_FIELDS: Record<string, FieldSpec> = {
  iot_signal_1: { kind: 'int', min: 1, max: 10 },
  iot_signal_2: { kind: 'plus', args: [{ ref: 'iot_signal_1' }, { expr: { kind: 'int', min: 0, max: 2 } }] },
  iot_signal_3: { kind: 'int', min: 50, max: 55 },
  iot_signal_4: { kind: 'int', min: 100, max: 107 },
  manufacturer: { kind: 'oneOf', values: ['New World Corp', 'AI Inc.', 'Hot Data Ltd'], weights: [5, 3, 2] },
};

export const TELCO_LABEL: LabelSpec = {
  name: 'cell_tower_failure',
  task: 'classification',
  model: { kind: 'logistic', bias: -37, weights: { iot_signal_1: 0.9, iot_signal_4: 0.3 }, classes: [0, 1] },
  drift: { flipRate: { from: 0, to: 0.3 } },
  classes: [0, 1],
};

export const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/data/${name}`, import.meta.url));

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function sd(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Asserts |actual - expected| <= k standard errors. */
export function assertNear(actual: number, expected: number, se: number, k: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= k * se,
    `${what}: got ${actual.toFixed(5)}, expected ${expected.toFixed(5)} ± ${(k * se).toFixed(5)} (${k} SE)`,
  );
}

/** Asserts a proportion is within k binomial standard errors of p. */
export function assertRate(hits: number, n: number, p: number, k: number, what: string): void {
  assertNear(hits / n, p, Math.sqrt((p * (1 - p)) / n) || 1 / n, k, what);
}
