// The reference model server as a child process (`modelwave serve … --port 0`): the run's `builtin:` targets, the
// benchmarks and the tests all start it this way, so it never shares their event loop. Resolves once the server has
// printed its `{"listening": URL}` line. The strict stand-ins (`serve --strict NAME`) start the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { packageFile } from '../util/package-files.js';

const CLI = fileURLToPath(packageFile('dist/src/cli/main.js'));

export interface SpawnedServer {
  /** scheme://host:port */
  origin: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

interface SpawnOptions {
  /** Give up (and kill the child) after this long without the listening line. */
  startTimeoutMs?: number;
  /** Where the server's stderr goes: kept for the error message ('pipe', default) or passed through ('inherit'). */
  stderr?: 'pipe' | 'inherit';
}

/** Start `modelwave serve` with `args` (e.g. ['--model', 'telco@v1']) on a free port of 127.0.0.1. */
export async function spawnReferenceServer(args: readonly string[], opts: SpawnOptions = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const lines = createInterface({ input: child.stdout! });
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      // 30 s: the server warms itself up (3,000 requests) before it prints the line, which takes ~1 s alone but ~10 s
      // on a 2-core machine loaded by other processes; a dead server still fails fast (it exits, see below).
      const ms = opts.startTimeoutMs ?? 30_000;
      const timer = setTimeout(() => reject(new Error(`did not start within ${ms / 1000}s`)), ms);
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { listening: string }).listening);
        } catch {
          reject(new Error(`unexpected first line: ${line}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}${stderr ? `: ${stderr.trim()}` : ''}`));
      });
    });
    child.stdout!.resume();
    return { origin, child, stop: (graceMs) => stopChild(child, graceMs) };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** Start `modelwave serve --strict NAME` (optionally with `--strict-config FILE`) on a free port of 127.0.0.1. */
export function spawnStrictServer(name: string, configFile?: string, opts: SpawnOptions = {}): Promise<SpawnedServer> {
  return spawnReferenceServer(['--strict', name, ...(configFile ? ['--strict-config', configFile] : [])], opts);
}

function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
