// The `postgres URL` writer, with the `pg` client. A filesystem snapshot of a running
// PostgreSQL is crash-consistent and recovers by replaying WAL; CHECKPOINT before the snapshot
// keeps that replay short. With `backup-mode true` the snapshot is also a proper online base
// backup: pg_backup_start before it and pg_backup_stop after it, on ONE held session (the
// backup is non-exclusive and ends if that session ends). pg_backup_start runs in
// prepare-snapshot rather than freeze: it is a checkpoint, too slow for the frozen window,
// and only has to come before the snapshot. pg_backup_stop's backup_label (and
// tablespace_map), plus the WAL segments from the backup's start to its stop, are written to
// <artifactDir>/<writer name>/ so that the backup restores without a WAL archive.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { WriterPlan } from '../plan/types.ts';
import { redactUrl, type SecretStore } from '../base/secret.ts';
import type { BackupStamp, Writer, WriterContext, WriterMetadata } from './writer.ts';

type PostgresPlan = Extract<WriterPlan, { kind: 'postgres' }>;

const RESTORE_NOTE = `This is the online-backup state of a PostgreSQL cluster whose data directory is in the
snapshot beside it. To start a restored copy: copy backup_label (and tablespace_map, if
present) into the restored data directory, copy the files of pg_wal/ here into its pg_wal/,
remove postmaster.pid, and start the server: it recovers to the end of the backup.
`;

export class PostgresWriter implements Writer {
  readonly name: string;
  readonly kind = 'postgres';
  readonly #plan: PostgresPlan;
  readonly #secrets: SecretStore;
  #client: pg.Client | undefined;
  #serverVersion = 0;
  #backupStarted = false;

  constructor(plan: PostgresPlan, secrets: SecretStore) {
    this.name = plan.name;
    this.#plan = plan;
    this.#secrets = secrets;
  }

  /** Connects (the probe) and names the server. */
  async identify(_context: WriterContext): Promise<WriterMetadata> {
    await this.#connect();
    const version = Math.floor(this.#serverVersion / 10000);
    return { name: this.name, kind: this.kind, subject: `${this.#shownUrl()} (PostgreSQL ${version}${this.#plan.backupMode ? ', backup mode' : ''})` };
  }

  async prepareBackup(_context: WriterContext, _previous: BackupStamp | undefined): Promise<void> {
    await this.#connect();
  }

  async prepareSnapshot(context: WriterContext): Promise<void> {
    const client = await this.#connect();
    await this.#query(client, 'CHECKPOINT', [], context.signal);
    if (!this.#plan.backupMode) return;
    const label = `stillpoint ${context.job} ${context.runId}`;
    if (this.#serverVersion >= 150000) await this.#query(client, 'SELECT pg_backup_start($1, true)', [label], context.signal);
    else await this.#query(client, 'SELECT pg_start_backup($1, true, false)', [label], context.signal);
    this.#backupStarted = true;
  }

  async freeze(_context: WriterContext): Promise<void> {}

  async thaw(_context: WriterContext): Promise<void> {}

  async postSnapshot(context: WriterContext): Promise<void> {
    if (!this.#backupStarted) return;
    const client = await this.#connect();
    const stopped = await this.#query<{ lsn: string; labelfile: string; spcmapfile: string | null }>(
      client,
      this.#serverVersion >= 150000
        ? 'SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)'
        : 'SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, false)',
      [],
      context.signal,
    );
    this.#backupStarted = false;
    const { lsn, labelfile, spcmapfile } = stopped.rows[0]!;
    const dir = join(context.artifactDir, this.name);
    await mkdir(join(dir, 'pg_wal'), { recursive: true });
    await writeFile(join(dir, 'backup_label'), labelfile);
    if (spcmapfile) await writeFile(join(dir, 'tablespace_map'), spcmapfile);
    await writeFile(join(dir, 'RESTORE.txt'), RESTORE_NOTE);
    for (const segment of await this.#segments(client, labelfile, lsn, context.signal)) {
      const file = await this.#query<{ data: Buffer }>(client, 'SELECT pg_read_binary_file($1) AS data', [`pg_wal/${segment}`], context.signal);
      await writeFile(join(dir, 'pg_wal', segment), file.rows[0]!.data);
    }
  }

  async backupComplete(_context: WriterContext, _stamp: BackupStamp | undefined): Promise<void> {}

  /** Ending the session also ends a backup that post-snapshot did not stop. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  /** The WAL segments from the backup's start (in its label) to its stop LSN, in order. */
  async #segments(client: pg.Client, labelfile: string, stopLsn: string, signal: AbortSignal): Promise<string[]> {
    const first = /START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)/.exec(labelfile)?.[1];
    if (!first) throw new Error('pg_backup_stop returned a backup label without a START WAL LOCATION');
    const result = await this.#query<{ last: string; size: string }>(
      client,
      "SELECT pg_walfile_name($1::pg_lsn) AS last, current_setting('wal_segment_size') AS size",
      [stopLsn],
      signal,
    );
    const { last, size } = result.rows[0]!;
    const segmentsPerLog = 0x100000000 / parseSize(size);
    const timeline = first.slice(0, 8);
    const number = (name: string) => Number.parseInt(name.slice(8, 16), 16) * segmentsPerLog + Number.parseInt(name.slice(16), 16);
    const names: string[] = [];
    for (let n = number(first); n <= number(last); n++) {
      const log = Math.floor(n / segmentsPerLog);
      const seg = n % segmentsPerLog;
      names.push(timeline + hex8(log) + hex8(seg));
    }
    return names;
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({ connectionString: this.#secrets.reveal(this.#plan.url), connectionTimeoutMillis: this.#plan.timeoutMs });
    client.on('error', () => {}); // a dropped connection fails the next query instead
    try {
      await client.connect();
      const version = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      this.#serverVersion = Number(version.rows[0]!.v);
    } catch (error) {
      await client.end().catch(() => {});
      throw new Error(`cannot connect to PostgreSQL at ${this.#shownUrl()}: ${this.#secrets.redact((error as Error).message)}`);
    }
    this.#client = client;
    return client;
  }

  async #query<R extends pg.QueryResultRow>(client: pg.Client, sql: string, values: unknown[], signal: AbortSignal): Promise<pg.QueryResult<R>> {
    signal.throwIfAborted();
    // A step that outlives its timeout must not leave a statement running on the held session.
    const cancel = () => void cancelBackend(client, this.#secrets.reveal(this.#plan.url));
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await client.query<R>(sql, values);
    } catch (error) {
      throw new Error(`PostgreSQL ${this.#shownUrl()}: ${sql.split(' ')[0]} failed: ${this.#secrets.redact((error as Error).message)}`);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  #shownUrl(): string {
    const url = this.#plan.url;
    return typeof url === 'string' ? redactUrl(url) : url.shown;
  }
}

/** pg_cancel_backend of the session's running statement, from a second short connection. */
async function cancelBackend(client: pg.Client, url: string): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  if (!pid) return;
  const other = new pg.Client({ connectionString: url });
  other.on('error', () => {});
  try {
    await other.connect();
    await other.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The statement may have finished meanwhile; the session's own timeout still applies.
  } finally {
    await other.end().catch(() => {});
  }
}

function parseSize(setting: string): number {
  const match = /^(\d+)\s*(kB|MB|GB)?$/.exec(setting.trim());
  if (!match) throw new Error(`cannot read wal_segment_size "${setting}"`);
  const unit = { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}
