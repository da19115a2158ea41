// A private PostgreSQL cluster for tests: initdb as the `postgres` user in a temp directory,
// started with pg_ctl on a free port (trust authentication, local only), stopped and removed
// by stop(). Uses Debian's server binaries from /usr/lib/postgresql/<version>/bin.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Requirement } from '../support/requirements.ts';

export function pgBin(name: string): string {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  return join('/usr/lib/postgresql', versions[0] ?? 'none', 'bin', name);
}

export function postgresServer(): Requirement {
  return { ok: existsSync(pgBin('initdb')) && existsSync(pgBin('pg_ctl')), reason: 'needs the PostgreSQL server (apt-get install postgresql)' };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool as the postgres user. */
export function asPostgres(bin: string, args: string[], options: { input?: string } = {}): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', pgBin(bin), ...args], { encoding: 'utf8', input: options.input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface Cluster {
  dataDir: string;
  port: number;
  url: string;
  start(): void;
  stop(): void;
  /** Stops the server and removes its files. */
  remove(): void;
}

/** A cluster over an existing data directory (a restored copy, say). */
export async function clusterAt(dataDir: string, home: string): Promise<Cluster> {
  const port = await freePort();
  const log = join(home, `postgres-${port}.log`);
  const cluster: Cluster = {
    dataDir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start() {
      try {
        asPostgres('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '120', '-o', `-p ${port} -k ${home} -c listen_addresses=127.0.0.1`, 'start']);
      } catch (error) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
        throw new Error(`PostgreSQL in ${dataDir} did not start:\n${tail}`, { cause: error });
      }
    },
    stop() {
      if (existsSync(join(dataDir, 'postmaster.pid'))) {
        try {
          asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already stopped
        }
      }
    },
    remove() {
      cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/**
 * initdb + start. `home` holds the log and the socket (made if not given; must be writable by
 * postgres); the data directory is home/data unless given (on a test volume, say).
 */
export async function startCluster(options: { home?: string; dataDir?: string } = {}): Promise<Cluster & { home: string }> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'sp-pg-'));
  execFileSync('chown', ['postgres:postgres', home]);
  const dataDir = options.dataDir ?? join(home, 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  execFileSync('chown', ['postgres:postgres', dataDir]);
  asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const cluster = await clusterAt(dataDir, home);
  cluster.start();
  return {
    ...cluster,
    home,
    remove() {
      cluster.stop();
      rmSync(options.home === undefined ? home : dataDir, { recursive: true, force: true });
    },
  };
}
