// The `sqlite PATH` writer, with node:sqlite (no native driver). Before the snapshot it
// checkpoints the WAL into the database file; during the freeze it holds a write transaction
// (BEGIN IMMEDIATE) on its own connection, so no other connection is in the middle of a
// write transaction when the snapshot is taken; thaw ends that empty transaction.

import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WriterPlan } from '../plan/types.ts';
import type { BackupStamp, Writer, WriterContext, WriterMetadata } from './writer.ts';

type SqlitePlan = Extract<WriterPlan, { kind: 'sqlite' }>;

/**
 * node:sqlite is synchronous: a busy wait inside SQLite would stall the event loop (and with
 * it the freeze-window timer). So SQLite waits at most this long per attempt and the writer
 * retries asynchronously until the step's signal fires.
 */
const BUSY_SLICE_MS = 5;

export class SqliteWriter implements Writer {
  readonly name: string;
  readonly kind = 'sqlite';
  readonly #path: string;
  #db: DatabaseSync | undefined;
  /** Bumped by thaw, so a freeze still retrying when the window closed gives up. */
  #generation = 0;

  constructor(plan: SqlitePlan) {
    this.name = plan.name;
    this.#path = plan.path;
  }

  /** Opens the database read-only to prove it is there and is SQLite. */
  async identify(_context: WriterContext): Promise<WriterMetadata> {
    let probe: DatabaseSync | undefined;
    try {
      probe = new DatabaseSync(this.#path, { readOnly: true });
      probe.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      throw new Error(`cannot open SQLite database ${this.#path}: ${(error as Error).message}`);
    } finally {
      probe?.close();
    }
    return { name: this.name, kind: this.kind, subject: this.#path };
  }

  async prepareBackup(_context: WriterContext, _previous: BackupStamp | undefined): Promise<void> {}

  async prepareSnapshot(context: WriterContext): Promise<void> {
    const db = this.#open();
    // TRUNCATE moves the WAL into the database file; a reader holding an old snapshot can make
    // it partial, which is harmless: the WAL file is captured with the database.
    await this.#retryBusy(context.signal, () => db.exec('PRAGMA wal_checkpoint(TRUNCATE)'));
  }

  async freeze(context: WriterContext): Promise<void> {
    const db = this.#open();
    const generation = this.#generation;
    await this.#retryBusy(context.signal, () => {
      if (generation !== this.#generation) throw new Error('thawed before the write lock was taken');
      db.exec('BEGIN IMMEDIATE');
    });
  }

  async thaw(_context: WriterContext): Promise<void> {
    this.#generation++;
    if (this.#db?.isTransaction) this.#db.exec('ROLLBACK');
  }

  async postSnapshot(_context: WriterContext): Promise<void> {}

  async backupComplete(_context: WriterContext, _stamp: BackupStamp | undefined): Promise<void> {}

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (!db) return;
    if (db.isTransaction) db.exec('ROLLBACK');
    db.close();
  }

  #open(): DatabaseSync {
    if (this.#db) return this.#db;
    // Never create the database: a wrong path must fail, not back up an empty file.
    if (!existsSync(this.#path)) throw new Error(`SQLite database ${this.#path} does not exist: check the writer's path`);
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(this.#path, { timeout: BUSY_SLICE_MS });
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      throw new Error(`cannot open SQLite database ${this.#path}: ${(error as Error).message}`);
    }
    this.#db = db;
    return db;
  }

  async #retryBusy(signal: AbortSignal, attempt: () => void): Promise<void> {
    // A short, fixed pause: the other connection's transaction is usually a few ms long, and
    // every ms waited here is a ms of the freeze window.
    for (;;) {
      signal.throwIfAborted();
      try {
        attempt();
        return;
      } catch (error) {
        if (!isBusy(error)) throw new Error(`SQLite database ${this.#path}: ${(error as Error).message}`);
      }
      await sleep(1, undefined, { signal }).catch(() => {});
    }
  }
}

function isBusy(error: unknown): boolean {
  const e = error as { errcode?: number; message?: string };
  // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
  const primary = (e.errcode ?? 0) & 0xff;
  return primary === 5 || primary === 6;
}
