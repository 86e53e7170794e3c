// examples/ci/github-actions.yml must stay runnable: it parses, every modelwave flag it uses exists in the CLI's own
// --help, the compare step is the gate, and the summary/artifact/JUnit steps read the folder compare writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const WORKFLOW = new URL('../../../examples/ci/github-actions.yml', import.meta.url);

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}

function steps(): Step[] {
  const doc = parse(readFileSync(WORKFLOW, 'utf8')) as { on: unknown; jobs: Record<string, { steps: Step[] }> };
  assert.ok(doc.on && typeof doc.on === 'object' && 'pull_request' in doc.on, 'runs on pull requests');
  const jobs = Object.values(doc.jobs);
  assert.equal(jobs.length, 1);
  return jobs[0]!.steps;
}

/** Every `npx modelwave <command> …` command line in a shell script, continuation lines joined, split into words. */
function invocations(script: string): { command: string; args: string[] }[] {
  const out: { command: string; args: string[] }[] = [];
  for (const line of script.replace(/\\\n\s*/g, ' ').split('\n')) {
    const m = /^\s*npx\s+modelwave\s+(\w+)\s*([^&|;>]*)/.exec(line);
    if (m) out.push({ command: m[1]!, args: m[2]!.trim().split(/\s+/).filter(Boolean) });
  }
  return out;
}

function help(command: string): string {
  const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const flagIn = (helpText: string, flag: string) => new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}(?=[\\s,=<[])`, 'm').test(helpText);

test('the workflow parses and every modelwave flag it uses is one the CLI accepts', () => {
  const all = steps().flatMap((s) => (s.run ? invocations(s.run) : []));
  assert.deepEqual(all.map((x) => x.command), ['serve', 'serve', 'compare']);
  for (const { command, args } of all) {
    const text = help(command);
    const flags = args.filter((a) => a.startsWith('--'));
    assert.ok(flags.length > 0);
    for (const f of flags) assert.ok(flagIn(text, f), `modelwave ${command} --help does not list ${f}`);
  }
  // the flag check can fail: a made-up flag is not in the help
  assert.equal(flagIn(help('compare'), '--no-such-flag'), false);
});

test('the compare step targets the two served models, writes compare-out, and is the gate', () => {
  const all = steps();
  const serve = all.flatMap((s) => (s.run ? invocations(s.run) : [])).filter((x) => x.command === 'serve');
  const portOf = (args: string[]) => args[args.indexOf('--port') + 1];
  const modelOf = (args: string[]) => args[args.indexOf('--model') + 1];
  assert.deepEqual(serve.map((x) => [modelOf(x.args), portOf(x.args)]), [['telco@v1', '8081'], ['telco@v2', '8082']]);

  const step = all.find((s) => s.run && invocations(s.run).some((x) => x.command === 'compare'))!;
  assert.equal(step['continue-on-error'], undefined, 'a failing comparison must fail the job');
  assert.ok(!/\|\|\s*true/.test(step.run!), 'the exit code is not swallowed');
  assert.match(step.run!, /exit \$code/);
  const { args } = invocations(step.run!).find((x) => x.command === 'compare')!;
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(value('--baseline'), 'http://127.0.0.1:8081/model');
  assert.equal(value('--candidate'), 'http://127.0.0.1:8082/model');
  assert.equal(value('--out'), 'compare-out');
  const scenario = args[0]!;
  const valid = spawnSync(process.execPath, [CLI, 'validate', scenario], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(valid.status, 0, `${scenario} validates: ${valid.stdout}${valid.stderr}`);
  // the health wait polls the ports the models listen on
  const startStep = all.find((s) => s.run?.includes('serve'))!;
  assert.match(startStep.run!, /for port in 8081 8082/);
  assert.match(startStep.run!, /\/health/);

  // After the gate, whatever the outcome: the Markdown summary, the artifact, the JUnit check.
  const after = all.slice(all.indexOf(step) + 1);
  assert.ok(after.length >= 3 && after.every((s) => s.if === 'always()'), 'reporting steps run on failure too');
  assert.ok(after.some((s) => s.run?.includes('cat compare-out/comparison.md >> "$GITHUB_STEP_SUMMARY"')));
  assert.ok(after.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'compare-out'));
  assert.ok(after.some((s) => s.with?.report_paths === 'compare-out/junit.xml'));
});
