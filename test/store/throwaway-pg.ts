// A throwaway Postgres server for fault tests: initdb in a temp dir, trust auth, a free port on 127.0.0.1, its
// socket in the same dir. Run as the `postgres` user when we are root (initdb refuses root).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  url: string;
  dataDir: string;
  restart(): Promise<void>;
  /** Kill the server (immediate shutdown, like a crash), keeping its data for start(). */
  halt(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  if (process.env.MODELWAVE_PG_BIN) return process.env.MODELWAVE_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

const NO_BINARIES = 'no Postgres binaries: install postgresql or set MODELWAVE_PG_BIN to the directory holding initdb and pg_ctl';

/** The reason to skip a test that starts a throwaway server (`{ skip: needsPostgresBinaries }`), false when it can run. */
export const needsPostgresBinaries: string | false = findBinDir() === undefined && `needs Postgres: ${NO_BINARIES}`;

function binDir(): string {
  const found = findBinDir();
  if (!found) throw new Error(NO_BINARIES);
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), 'mw-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const exec = async (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    await run(cmd, argv, { timeout: 60_000 });
  };
  if (asRoot) chownSync(root, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  const user = asRoot ? 'postgres' : userInfo().username;
  await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', user, '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await exec('pg_ctl', ['-D', dataDir, '-o', opts, '-l', join(root, 'log'), '-w', 'start']);
  let stopped = false;
  return {
    url: `postgres://${user}@127.0.0.1:${port}/postgres`,
    dataDir,
    restart: () => exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'restart', '-o', opts, '-l', join(root, 'log')]),
    halt: () => exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']),
    start: () => exec('pg_ctl', ['-D', dataDir, '-o', opts, '-l', join(root, 'log'), '-w', 'start']),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined); // halted already
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
