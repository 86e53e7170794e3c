// junit.xml: CI systems show each threshold as a test. `junitXml` is a small builder other reporters reuse
// (`compare` adds its own suite of comparison rules next to the thresholds suite).
import type { Summary, ThresholdResult } from '../summary/types.js';
import { escapeXml } from './escape.js';
import { fmtMeasured, fmtThresholdValue } from './format.js';

interface JunitFailure {
  /** One line, shown by most CI UIs as the failure title. */
  message: string;
  type: string;
  /** Longer text (the element's content). */
  details?: string;
}

export interface JunitCase {
  name: string;
  classname: string;
  timeSec?: number;
  failure?: JunitFailure;
  /** Extra text shown next to a passing case (e.g. the measured value). */
  systemOut?: string;
}

interface JunitSuite {
  name: string;
  /** ISO timestamp of the run start. */
  timestamp?: string;
  timeSec?: number;
  hostname?: string;
  properties?: Record<string, string>;
  cases: JunitCase[];
}

const attr = (name: string, value: string | number | undefined): string =>
  value === undefined ? '' : ` ${name}="${escapeXml(value)}"`;
const secs = (s: number | undefined): string | undefined => (s === undefined ? undefined : s.toFixed(3));

function caseXml(c: JunitCase): string {
  const open = `    <testcase${attr('name', c.name)}${attr('classname', c.classname)}${attr('time', secs(c.timeSec ?? 0))}`;
  const body: string[] = [];
  if (c.failure) {
    const f = c.failure;
    const head = `      <failure${attr('message', f.message)}${attr('type', f.type)}`;
    body.push(f.details ? `${head}>${escapeXml(f.details)}</failure>` : `${head}/>`);
  }
  if (c.systemOut) body.push(`      <system-out>${escapeXml(c.systemOut)}</system-out>`);
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

function suiteXml(s: JunitSuite): string {
  const failures = s.cases.filter((c) => c.failure).length;
  const head =
    `  <testsuite${attr('name', s.name)}${attr('tests', s.cases.length)}${attr('failures', failures)}` +
    `${attr('errors', 0)}${attr('skipped', 0)}${attr('time', secs(s.timeSec))}${attr('timestamp', s.timestamp)}` +
    `${attr('hostname', s.hostname)}>`;
  const lines = [head];
  const props = Object.entries(s.properties ?? {});
  if (props.length) {
    lines.push('    <properties>');
    for (const [k, v] of props) lines.push(`      <property${attr('name', k)}${attr('value', v)}/>`);
    lines.push('    </properties>');
  }
  for (const c of s.cases) lines.push(caseXml(c));
  lines.push('  </testsuite>');
  return lines.join('\n');
}

/** A complete JUnit XML document (the common Jenkins/GitLab/GitHub dialect) of the given suites. */
export function junitXml(suites: JunitSuite[], name = 'modelwave'): string {
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const timeSec = suites.reduce((t, s) => Math.max(t, s.timeSec ?? 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', name)}${attr('tests', tests)}${attr('failures', failures)}${attr('errors', 0)}${attr('time', secs(timeSec))}>`,
    ...suites.map(suiteXml),
    '</testsuites>',
    '',
  ].join('\n');
}

function thresholdCase(t: ThresholdResult): JunitCase {
  const measured = `${t.metric} = ${fmtMeasured(t)}`;
  const limit = `${t.op} ${fmtThresholdValue(t, t.limit)}`;
  const c: JunitCase = { name: t.expr, classname: 'modelwave.thresholds', timeSec: 0 };
  if (t.pass) c.systemOut = `${measured} (limit ${limit})`;
  else
    c.failure = {
      type: 'threshold',
      message: `${measured}, limit ${limit}`,
      details: `measured: ${t.value ?? 'not measured'}\nlimit: ${t.op} ${t.limit}\nunit: ${t.unit}`,
    };
  return c;
}

/** The "thresholds" suite: one case per threshold plus "run completed". */
export function thresholdsSuite(summary: Summary): JunitSuite {
  const run = summary.run;
  const completed: JunitCase = { name: 'run completed', classname: 'modelwave.run', timeSec: run.durationMs / 1000 };
  if (run.status !== 'completed') {
    completed.failure = {
      type: 'run',
      message: `run ${run.status}${run.error ? `: ${run.error}` : ''}`,
      details: `run ${run.id} ended with status "${run.status}" after ${(run.durationMs / 1000).toFixed(1)} s`,
    };
  }
  return {
    name: 'thresholds',
    timestamp: run.startedAt,
    timeSec: run.durationMs / 1000,
    hostname: summary.environment.hostname,
    properties: { run: run.id, name: run.name, target: run.target, protocol: run.protocol, seed: String(run.seed) },
    cases: [...summary.thresholds.map(thresholdCase), completed],
  };
}

export function renderJunit(summary: Summary): string {
  return junitXml([thresholdsSuite(summary)]);
}
