// The Comparison: one versioned object `modelwave compare` produces; comparison.json is exactly this.
import type { RuleStatus } from './verdict.js';
import type { LatencyComparison, LatencyQuantileComparison } from './latency.js';

// 2: latency quantiles gained pSlower/pFaster/pValue (block bootstrap) and latency.resampling; rule p-values of latency
// rules are one-sided in the rule's direction (were the two-sided Mann–Whitney p).
export const COMPARISON_SCHEMA_VERSION = 2;

export interface RunBrief {
  runId: string;
  target: string;
  status: string;
  sent: number;
  ok: number;
  errorRate: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  accuracy?: number;
  accuracyCi?: [number, number];
  macroF1?: number;
  /** Where this run's own reports are (relative to the comparison folder), when written. */
  reportDir?: string;
}

export interface RuleResult {
  expr: string;
  metric: string;
  op: string;
  limit: number;
  tolerance: number;
  value: number | null;
  ci?: [number, number];
  pValue?: number;
  status: RuleStatus;
  reason: string;
}

export interface Comparison {
  schemaVersion: number;
  id: string;
  createdAt: string;
  scenario: string;
  seed: number;
  /** True when each row's predictions from both runs were joined by sequence number (McNemar applies). */
  paired: boolean;
  warnings: string[];
  baseline: RunBrief;
  candidate: RunBrief;
  accuracy?: {
    /** Rows scored by both. */
    n: number;
    /** a: both right, b: baseline right only, c: candidate right only, d: both wrong (paired); absent when unpaired. */
    table?: { a: number; b: number; c: number; d: number };
    base: number;
    cand: number;
    delta: number;
    ci: [number, number];
    pValue: number;
    test: string;
    interval: string;
  };
  perClass: { label: string; recallBase: number; recallCand: number; recallDelta: number; f1Base: number; f1Cand: number; f1Delta: number }[];
  perWindow: { index: number; base?: number; cand?: number; delta?: number }[];
  latency: {
    /** Per quantile: point values, block-bootstrap intervals and one-sided p-values (see src/compare/latency.ts). */
    quantiles: LatencyQuantileComparison[];
    /** How latency was resampled: time blocks (per version, or shared when measured together) or independently. */
    resampling: LatencyComparison['resampling'];
    /** Descriptive: a rank test of the whole distribution, treating requests as independent. No rule uses it. */
    mannWhitney: { u: number; effect: number; z: number; pValue: number };
    method: string;
  };
  errors: { base: number; cand: number; delta: number; ci: [number, number]; pValue: number; method: string };
  rules: RuleResult[];
  verdict: RuleStatus;
  /** One sentence for humans and PR comments. */
  headline: string;
}
