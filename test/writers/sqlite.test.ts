import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createWriter } from '../../src/writers/index.ts';
import { SecretStore } from '../../src/base/secret.ts';
import { writerContext } from './context.ts';

const dir = mkdtempSync(join(tmpdir(), 'sp-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let path: string;
let count = 0;

beforeEach(() => {
  path = join(dir, `books-${++count}.db`);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode=WAL; CREATE TABLE entries(id INTEGER PRIMARY KEY, amount INTEGER)');
  db.close();
});

const plan = (p: string) => ({ kind: 'sqlite' as const, name: 'books', path: p, timeoutMs: 5000, required: true, origin: 't.still:1:1' });

/** Inserts a row from another process whose connection waits up to 10 s for the lock; resolves with the time it committed. */
function insertFromOtherProcess(file: string): Promise<number> {
  const code = `const {DatabaseSync}=require('node:sqlite');const db=new DatabaseSync(process.argv[1],{timeout:10000});process.stdout.write('ready\\n');db.exec('INSERT INTO entries(amount) VALUES (1)');process.stdout.write('done\\n');`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('done')) resolve(performance.now());
    });
    child.on('exit', (c) => (c === 0 ? undefined : reject(new Error(`insert exited ${c}`))));
  });
}

describe('sqlite writer', () => {
  it('identifies the database, and refuses a missing one without creating it', async () => {
    const writer = await createWriter(plan(path), new SecretStore());
    expect(await writer.identify(writerContext())).toEqual({ name: 'books', kind: 'sqlite', subject: path });
    const missing = join(dir, 'missing.db');
    const other = await createWriter(plan(missing), new SecretStore());
    await expect(other.identify(writerContext())).rejects.toThrow(/cannot open SQLite database .*missing\.db/);
    await expect(other.prepareSnapshot(writerContext())).rejects.toThrow(/does not exist/);
    expect(existsSync(missing)).toBe(false);
  });

  it('checkpoints the WAL into the database before the snapshot', async () => {
    const app = new DatabaseSync(path);
    for (let i = 0; i < 200; i++) app.exec(`INSERT INTO entries(amount) VALUES (${i})`);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    const writer = await createWriter(plan(path), new SecretStore());
    await writer.prepareSnapshot(writerContext());
    expect(statSync(`${path}-wal`).size).toBe(0);
    app.close();
    await writer.close();
  });

  it('holds off other connections’ writes from freeze until thaw', async () => {
    const writer = await createWriter(plan(path), new SecretStore());
    const context = writerContext();
    await writer.prepareSnapshot(context);
    await writer.freeze(context);

    const sameProcess = new DatabaseSync(path, { timeout: 0 });
    expect(() => sameProcess.exec('INSERT INTO entries(amount) VALUES (5)')).toThrow(/database is locked/);

    const committed = insertFromOtherProcess(path);
    await new Promise((r) => setTimeout(r, 400));
    const thawedAt = performance.now();
    await writer.thaw(context);
    expect(await committed).toBeGreaterThanOrEqual(thawedAt);

    sameProcess.exec('INSERT INTO entries(amount) VALUES (5)');
    expect(sameProcess.prepare('SELECT count(*) AS n FROM entries').get()).toEqual({ n: 2 });
    sameProcess.close();
    await writer.close();
  });

  it('waits for a writer that is mid-transaction, and gives up when the step times out', async () => {
    const app = new DatabaseSync(path);
    app.exec('BEGIN IMMEDIATE');
    app.exec('INSERT INTO entries(amount) VALUES (-10)');
    const writer = await createWriter(plan(path), new SecretStore());
    const step = new AbortController();
    const freezing = writer.freeze(writerContext({ signal: step.signal }));
    let frozen = false;
    void freezing.then(() => (frozen = true), () => {});
    await new Promise((r) => setTimeout(r, 100));
    expect(frozen).toBe(false);
    app.exec('COMMIT');
    await freezing;
    await writer.thaw(writerContext());

    app.exec('BEGIN IMMEDIATE');
    const timedOut = new AbortController();
    setTimeout(() => timedOut.abort(new Error('freeze step timed out')), 100);
    await expect(writer.freeze(writerContext({ signal: timedOut.signal }))).rejects.toThrow(/timed out/);
    app.exec('ROLLBACK');
    app.close();
    await writer.close();
  });
});
