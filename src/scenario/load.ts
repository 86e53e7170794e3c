// Scenario file → normalized Scenario. Reads YAML or JSON, checks the structure against schema.ts, applies the
// cross-key rules and defaults (normalize.ts), then the command-line overrides, the load plan and drift progress.
// Every problem is collected and thrown at once as MW_SCENARIO_INVALID, each with file:line:col.
import { resolve } from 'node:path';
import { ModelwaveError, usageError } from '../errors.js';
import { parseThresholdLine } from '../verdict/thresholds.js';
import { Checker } from './check.js';
import { formatLocated, issuesToProblems, Positions, type Located, type Problem } from './errors.js';
import { normalize, thresholdFitsLabel, type NormalizedCore } from './normalize.js';
import { fieldHasDrift } from './normalize-data.js';
import { parseScenarioSource, readScenarioFile } from './parse.js';
import { asOneClosedPhase, planLoad } from '../schedule/plan.js';
import { checkOverrideLimits, checkPlanLimits, checkRawLimits } from './limits.js';
import { redactScenario } from './redact.js';
import { ScenarioFileSchema, type RawScenario } from './schema.js';
import type { LabelSpec, Phase, Scenario, ThresholdSpec } from '../spec/types.js';

/** Command-line overrides for `run` (and `compare`). */
export interface ScenarioOverrides {
  /** Every phase lasts this long (closed phases too; `requests` caps are kept). */
  durationMs?: number;
  /** Every phase becomes open loop at this constant rate (ramps, steps and concurrency dropped). */
  rate?: number;
  /** The whole load becomes one closed-loop phase with this many in flight, as long as the scenario's phases. */
  concurrency?: number;
  workers?: number | 'auto';
  /** Extra thresholds, e.g. "latency.p99 < 250ms", appended to the scenario's. */
  thresholds?: string[];
  /** Replaces target.url. */
  target?: string;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  overrides?: ScenarioOverrides;
}

/**
 * Read and validate a scenario file. Throws MW_FILE (unreadable, over a size/depth/alias limit, bad YAML or JSON) or
 * MW_SCENARIO_INVALID (every problem).
 */
export function loadScenario(path: string, opts: LoadOptions = {}): Scenario {
  return parseScenarioText(readScenarioFile(path), path, opts);
}

/** Validate scenario text; `file` names it in messages and anchors relative paths (data.source). */
export function parseScenarioText(text: string, file: string, opts: LoadOptions = {}): Scenario {
  const { value, doc, lines } = parseScenarioSource(text, file);
  const positions = new Positions(doc, lines);
  const raw = applyRawOverrides(value, opts.overrides);
  // jitless: zod would otherwise compile a parser (new Function) for each of the schema's ~40 objects on their first
  // use, to parse one document once: ~21 vs ~10 ms of main-thread CPU per scenario load. Same checks, same issues.
  const parsed = ScenarioFileSchema.safeParse(raw, { jitless: true });
  const structural = parsed.success ? [] : issuesToProblems(parsed.error.issues, raw, ScenarioFileSchema);
  const chk = new Checker(structural);
  checkRawLimits(raw, chk);
  const core = normalize(raw, resolve(file), chk, opts.env ?? process.env);
  const scenario = core ? complete(core, raw as RawScenario, value, chk, opts.overrides) : undefined;
  const problems = [...structural, ...chk.problems];
  if (problems.length) throw invalid(file, problems, positions);
  if (!scenario) throw new ModelwaveError('MW_INTERNAL', `scenario ${file} could not be normalized`);
  return scenario;
}

/** Overrides that change the file's own keys are applied before validation, so their values are checked too. */
function applyRawOverrides(value: unknown, o: ScenarioOverrides | undefined): unknown {
  if (!o || !value || typeof value !== 'object' || Array.isArray(value)) return value;
  for (const [flag, v] of [
    ['--duration', o.durationMs],
    ['--rate', o.rate],
    ['--concurrency', o.concurrency],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw usageError(`${flag} must be positive (got ${v})`);
  }
  if (o.concurrency !== undefined && !Number.isInteger(o.concurrency)) throw usageError(`--concurrency must be an integer (got ${o.concurrency})`);
  if (o.workers !== undefined && o.workers !== 'auto' && !(Number.isInteger(o.workers) && o.workers > 0)) {
    throw usageError(`--workers must be "auto" or a positive integer (got ${o.workers})`);
  }
  if (o.rate !== undefined && o.concurrency !== undefined) throw usageError('--rate and --concurrency cannot be combined: pick open loop or closed loop');
  checkOverrideLimits(o);
  const raw = structuredClone(value) as Record<string, unknown>;
  const target = raw.target as Record<string, unknown> | undefined;
  if (o.target !== undefined && target && typeof target === 'object') target.url = o.target;
  const load = raw.load as Record<string, unknown> | undefined;
  if (o.workers !== undefined && load && typeof load === 'object') load.workers = o.workers;
  const phases = load?.phases;
  if (Array.isArray(phases) && o.concurrency === undefined) {
    load!.phases = phases.map((p: unknown) => {
      if (!p || typeof p !== 'object') return p;
      const phase = { ...(p as Record<string, unknown>) };
      if (o.durationMs !== undefined) phase.duration = `${o.durationMs}ms`; // a duration carries its unit (util/duration.ts)
      if (o.rate !== undefined) {
        for (const k of ['rampTo', 'steps', 'concurrency', 'think']) delete phase[k];
        phase.rate = o.rate;
      }
      return phase;
    });
  }
  return raw;
}

/** Plan, drift progress, overrides on the normalized load, redaction. Adds problems to `chk`. */
function complete(core: NormalizedCore, raw: RawScenario, asWritten: unknown, chk: Checker, o: ScenarioOverrides | undefined): Scenario {
  let phases: Phase[] = core.load.phases;
  if (o?.concurrency !== undefined) phases = [asOneClosedPhase(phases, o.concurrency, o.durationMs)];
  const plan = planLoad(phases);
  const via = (['rate', 'duration', 'concurrency'] as const).filter((k) => o?.[k === 'duration' ? 'durationMs' : k] !== undefined).map((k) => `--${k}`);
  checkPlanLimits(phases, plan, core.target, core.windows, chk, via.join(' and '));
  const thresholds = [...core.thresholds];
  for (const expr of o?.thresholds ?? []) thresholds.push(thresholdFromFlag('--threshold', expr, core.label));
  const drift = Boolean(core.label?.drift) || core.data.fields.some((f) => fieldHasDrift(f.spec));
  const progressOver = raw.data.progressOver;
  // --concurrency replaces a plan of known length by one of unknown length: drift keeps the scenario's own pace.
  const progressRequests = progressOver ?? plan.plannedRequests ?? planLoad(core.load.phases).plannedRequests;
  if (drift && progressRequests === undefined) {
    const open = phases.find((p) => p.kind === 'closed' && p.requests === undefined);
    chk.add(
      ['data'],
      `needs \`progressOver: N\` (requests): drift is configured, but the run length in requests is unknown because closed-loop phase "${open?.name}" ends by duration only (or give that phase \`requests:\`)`,
    );
  }
  return {
    ...core,
    load: { ...core.load, phases },
    thresholds,
    // Without drift, progress is never used; Infinity keeps it at 0 rather than inventing a run length.
    progressRequests: progressRequests ?? Number.POSITIVE_INFINITY,
    ...(plan.plannedRequests !== undefined && { plannedRequests: plan.plannedRequests }),
    redacted: redactScenario(asWritten),
  };
}

function invalid(file: string, problems: Problem[], positions: Positions): ModelwaveError {
  const located: Located[] = problems.map((p) => ({ ...p, ...positions.locate(p.path, p.at) }));
  const order = (p: Located) => (p.line ?? Infinity) * 1e6 + (p.col ?? 0);
  located.sort((a, b) => order(a) - order(b));
  const n = located.length;
  return new ModelwaveError(
    'MW_SCENARIO_INVALID',
    `scenario ${file} is invalid (${n} problem${n === 1 ? '' : 's'})`,
    located.map((p) => formatLocated(file, p)),
  );
}

/**
 * A threshold expression given on the command line (`--threshold`, capacity's `--slo`), parsed and checked against
 * the scenario's label; a bad one is a usage error (exit 2) naming the flag and the expression.
 */
export function thresholdFromFlag(flag: string, expr: string, label: LabelSpec | undefined): ThresholdSpec {
  let spec: ThresholdSpec;
  try {
    spec = parseThresholdLine(expr);
  } catch (err) {
    throw usageError(`${flag} ${JSON.stringify(expr)} ${(err as Error).message}`);
  }
  const misfit = thresholdFitsLabel(spec.metric, label);
  if (misfit) throw usageError(`${flag} ${JSON.stringify(expr)} ${misfit}`);
  return spec;
}
