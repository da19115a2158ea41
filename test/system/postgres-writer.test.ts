// The postgres writer against a real PostgreSQL server: CHECKPOINT before the snapshot, and
// backup mode producing a base backup that a fresh server recovers from, even when the
// "snapshot" is a plain (non-atomic) copy taken while writes go on.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretStore } from '../../src/base/secret.ts';
import { createWriter } from '../../src/writers/index.ts';
import { describeWith, root } from '../support/requirements.ts';
import { clusterAt, freePort, startCluster, postgresServer, type Cluster } from '../writers/postgres-cluster.ts';
import { writerContext } from '../writers/context.ts';

const plan = (url: string | ReturnType<SecretStore['add']>, backupMode: boolean) => ({
  kind: 'postgres' as const,
  name: 'main-db',
  url,
  backupMode,
  timeoutMs: 30_000,
  required: true,
  origin: 't.still:4:3',
});

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describeWith('postgres writer (real PostgreSQL)', [root(), postgresServer()], () => {
  let cluster: Cluster & { home: string };
  beforeAll(async () => {
    cluster = await startCluster();
    await query(cluster.url, 'CREATE TABLE ledger(id bigserial PRIMARY KEY, amount integer NOT NULL)');
  }, 120_000);
  afterAll(() => cluster?.remove());

  it('identifies the server, and names the URL without its password when it cannot connect', async () => {
    const writer = await createWriter(plan(cluster.url, false), new SecretStore());
    expect((await writer.identify(writerContext())).subject).toMatch(new RegExp(`127\\.0\\.0\\.1:${cluster.port}.*PostgreSQL 1\\d`));
    await writer.close();

    const secrets = new SecretStore();
    const closedPort = await freePort();
    const url = secrets.add(`postgres://postgres:pa55word-x@127.0.0.1:${closedPort}/postgres`, `postgres://postgres:***@127.0.0.1:${closedPort}/postgres`);
    const unreachable = await createWriter(plan(url, false), secrets);
    const error = (await unreachable.identify(writerContext()).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
    expect(error.message).not.toContain('pa55word-x');
  });

  it('requests a checkpoint in prepare-snapshot', async () => {
    const before = await query<{ n: string }>(cluster.url, 'SELECT checkpoints_req::text AS n FROM pg_stat_bgwriter');
    const writer = await createWriter(plan(cluster.url, false), new SecretStore());
    const context = writerContext();
    await writer.prepareBackup(context, undefined);
    await writer.prepareSnapshot(context);
    await writer.freeze(context);
    await writer.thaw(context);
    await writer.postSnapshot(context);
    await writer.close();
    const after = await query<{ n: string }>(cluster.url, 'SELECT checkpoints_req::text AS n FROM pg_stat_bgwriter');
    expect(Number(after[0]!.n)).toBeGreaterThan(Number(before[0]!.n));
    expect(readdirSync(context.artifactDir)).toEqual([]);
  });

  it('in backup mode, leaves a label and WAL with which a copy taken under load recovers', async () => {
    // Writes that keep the books balanced: each transaction adds +n and -n.
    let writing = true;
    const load = (async () => {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      for (let n = 1; writing; n++) {
        await client.query('BEGIN');
        await client.query('INSERT INTO ledger(amount) VALUES ($1)', [n]);
        await client.query('INSERT INTO ledger(amount) VALUES ($1)', [-n]);
        await client.query('COMMIT');
      }
      await client.end();
    })();
    await new Promise((r) => setTimeout(r, 300));

    const writer = await createWriter(plan(cluster.url, true), new SecretStore());
    const context = writerContext();
    await writer.prepareBackup(context, undefined);
    await writer.prepareSnapshot(context);
    const rowsAtStart = Number((await query<{ n: string }>(cluster.url, 'SELECT count(*)::text AS n FROM ledger'))[0]!.n);
    await writer.freeze(context);
    // Not atomic, on purpose: backup mode must make even a plain copy restorable.
    const restored = join(cluster.home, 'restored');
    execFileSync('cp', ['-a', cluster.dataDir, restored]);
    await writer.thaw(context);
    await writer.postSnapshot(context);
    await writer.close();
    writing = false;
    await load;

    const artifacts = join(context.artifactDir, 'main-db');
    const label = readFileSync(join(artifacts, 'backup_label'), 'utf8');
    expect(label).toMatch(/START WAL LOCATION: .* \(file [0-9A-F]{24}\)/);
    expect(label).toMatch(/LABEL: stillpoint ledger run-7/);
    const segments = readdirSync(join(artifacts, 'pg_wal'));
    expect(segments.length).toBeGreaterThan(0);

    rmSync(join(restored, 'postmaster.pid'));
    cpSync(join(artifacts, 'backup_label'), join(restored, 'backup_label'));
    for (const segment of segments) cpSync(join(artifacts, 'pg_wal', segment), join(restored, 'pg_wal', segment));
    execFileSync('chown', ['-R', 'postgres:postgres', restored]);
    const copy = await clusterAt(restored, cluster.home);
    try {
      copy.start();
      const log = readFileSync(join(cluster.home, `postgres-${copy.port}.log`), 'utf8');
      expect(log).toMatch(/redo done|consistent recovery state reached/);
      const [books] = await query<{ n: string; total: string }>(copy.url, 'SELECT count(*)::text AS n, coalesce(sum(amount), 0)::text AS total FROM ledger');
      expect(Number(books!.n)).toBeGreaterThanOrEqual(rowsAtStart);
      expect(Number(books!.n) % 2).toBe(0);
      expect(books!.total).toBe('0');
      expect(existsSync(join(restored, 'backup_label.old'))).toBe(true); // recovery started from the label
    } finally {
      copy.remove();
    }
  }, 120_000);
});
