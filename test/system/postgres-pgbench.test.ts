// PostgreSQL under load (issue 4): a private cluster with its data directory on a btrfs loop
// volume runs pgbench continuously while Stillpoint takes at least 10 backups with a
// `postgres` writer (half of them in backup mode). Each backup is restored, started as a
// fresh instance, must recover, and must satisfy pgbench's invariants: the sum of account,
// teller and branch balances each equals the sum of the history deltas.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { clusterAt, pgBin, postgresServer, startCluster, type Cluster } from '../writers/postgres-cluster.ts';
import { events, snapshotIds, stillpoint } from './bank/harness.ts';

const BACKUPS = 10;

interface Invariants {
  history: number;
  accounts: string;
  tellers: string;
  branches: string;
  deltas: string;
}

async function invariants(url: string): Promise<Invariants> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Invariants>(`SELECT
      (SELECT count(*)::int FROM pgbench_history) AS history,
      (SELECT sum(abalance)::text FROM pgbench_accounts) AS accounts,
      (SELECT sum(tbalance)::text FROM pgbench_tellers) AS tellers,
      (SELECT sum(bbalance)::text FROM pgbench_branches) AS branches,
      (SELECT coalesce(sum(delta), 0)::text FROM pgbench_history) AS deltas`);
    return rows[0]!;
  } finally {
    await client.end();
  }
}

function findDir(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === name && existsSync(join(path, 'PG_VERSION'))) return path;
    const found = findDir(path, name);
    if (found) return found;
  }
  return undefined;
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

describeWith('postgres proof: pgbench under load, backups on btrfs recover and keep their invariants', [linux(), root(), postgresServer(), command('mkfs.btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let work: string;
  let cluster: Cluster;
  let load: ChildProcess;

  beforeAll(async () => {
    fs = createLoopFilesystem('btrfs', 1024);
    work = mkdtempSync(join(tmpdir(), 'sp-pgbench-'));
    execFileSync('btrfs', ['subvolume', 'create', join(fs.mountPoint, 'pg')], { stdio: 'ignore' });
    // The postgres user must reach its data directory through the temp dirs.
    for (const dir of [dirname(fs.mountPoint), fs.mountPoint, join(fs.mountPoint, 'pg')]) chmodSync(dir, 0o755);
    cluster = await startCluster({ home: work, dataDir: join(fs.mountPoint, 'pg', 'data') });
    execFileSync(pgBin('pgbench'), ['-i', '-s', '1', '-q', cluster.url], { stdio: 'ignore' });
    load = spawn(pgBin('pgbench'), ['-n', '-c', '2', '-T', '3600', cluster.url], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
  }, 120_000);

  afterAll(() => {
    load?.kill('SIGKILL');
    cluster?.stop();
    fs?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`takes ${BACKUPS} backups while pgbench runs; each restored copy recovers and balances`, async () => {
    const target = join(work, 'backups');
    const state = join(work, 'state');
    const scripts = [false, true].map((backupMode) => {
      const file = join(work, `pg-${backupMode}.still`);
      writeFileSync(
        file,
        `job "pg" {
  volume "${join(fs.mountPoint, 'pg')}"
  provider btrfs
  writer "main" postgres "${cluster.url}" { backup-mode ${backupMode} }
  target tree "${target}"
}
`,
      );
      return file;
    });
    const runs: Array<{ backupMode: boolean }> = [];
    for (let i = 0; i < BACKUPS; i++) {
      const backupMode = i % 2 === 1;
      const run = stillpoint(['run', scripts[Number(backupMode)]!, '--json'], { STILLPOINT_STATE_DIR: state });
      expect(run.status, `run ${i + 1} failed:\n${run.stderr}\n${run.stdout.slice(-3000)}`).toBe(0);
      expect(events(run.stdout).find((e) => e.type === 'freeze.ended')).toMatchObject({ timedOut: false, writers: [{ writer: 'main' }] });
      runs.push({ backupMode });
    }
    expect(load.exitCode).toBeNull(); // pgbench ran throughout

    const ids = snapshotIds(target);
    expect(ids).toHaveLength(BACKUPS);
    const histories: number[] = [];
    for (const [i, id] of ids.entries()) {
      const to = join(work, `restored-${i}`);
      mkdirSync(to);
      const restore = stillpoint(['restore', target, '--snapshot', id, '--to', to]);
      expect(restore.status, restore.stderr).toBe(0);
      const dataDir = findDir(to, 'data')!;
      expect(dataDir).toBeDefined();
      rmSync(join(dataDir, 'postmaster.pid'), { force: true });
      if (runs[i]!.backupMode) {
        // The writer's artifacts travel with the backup: backup_label and the WAL from the
        // backup's start to its stop.
        const label = findFile(to, 'backup_label');
        expect(label, `backup ${i + 1} carries no backup_label`).toBeDefined();
        const artifacts = dirname(label!);
        cpSync(join(artifacts, 'backup_label'), join(dataDir, 'backup_label'));
        for (const segment of readdirSync(join(artifacts, 'pg_wal'))) cpSync(join(artifacts, 'pg_wal', segment), join(dataDir, 'pg_wal', segment));
      }
      execFileSync('chown', ['-R', 'postgres:postgres', to]);
      execFileSync('chmod', ['0700', dataDir]);
      const copy = await clusterAt(dataDir, work);
      try {
        copy.start();
        // Recovery started from the backup's label and consumed it.
        if (runs[i]!.backupMode) expect(existsSync(join(dataDir, 'backup_label.old'))).toBe(true);
        const books = await invariants(copy.url);
        expect(books.history, `backup ${i + 1} (${id}) is empty`).toBeGreaterThan(0);
        expect({ tellers: books.tellers, branches: books.branches, accounts: books.accounts }).toEqual({ tellers: books.deltas, branches: books.deltas, accounts: books.deltas });
        histories.push(books.history);
      } finally {
        copy.remove();
      }
    }
    // The backups are of a database that kept changing.
    expect(new Set(histories).size).toBe(BACKUPS);
  }, 900_000);
});
