// The Comparison: one versioned object `modelwave compare` produces; comparison.json is exactly this.
import type { RuleStatus } from './verdict.js';

export const COMPARISON_SCHEMA_VERSION = 1;

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
    quantiles: { q: number; base: number; cand: number; delta: number; ratio: number; deltaCi: [number, number]; ratioCi: [number, number] }[];
    mannWhitney: { u: number; effect: number; z: number; pValue: number };
    method: string;
  };
  errors: { base: number; cand: number; delta: number; ci: [number, number]; pValue: number; method: string };
  rules: RuleResult[];
  verdict: RuleStatus;
  /** One sentence for humans and PR comments. */
  headline: string;
}
