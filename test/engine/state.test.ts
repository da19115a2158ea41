import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobLockedError, StateStore, type SnapshotSetRecord } from '../../src/engine/state.ts';

let dir: string;
let state: StateStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stillpoint-state-'));
  state = new StateStore(join(dir, 'state'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DEAD_PID = 2 ** 22 + 11;

describe('the job lock', () => {
  it('stops a second holder, naming the first, and is free again once released', async () => {
    const first = await state.lockJob('nightly', 'run-1');
    const second = state.lockJob('nightly', 'run-2');
    await expect(second).rejects.toThrow(JobLockedError);
    await expect(second).rejects.toThrow(`job "nightly" is already running (process ${process.pid} holds`);
    // Another job is not affected.
    await (await state.lockJob('weekly', 'run-3'))[Symbol.asyncDispose]();
    await first[Symbol.asyncDispose]();
    await (await state.lockJob('nightly', 'run-4'))[Symbol.asyncDispose]();
  });

  it('lets exactly one of several simultaneous runs take the lock', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => state.lockJob('nightly', `run-${i}`)));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(JobLockedError);
    expect(await readdir(join(state.dir, 'jobs'))).toEqual(['nightly.lock']);
  });

  it('takes over the lock of a dead process, and releasing never removes a lock that is not its own', async () => {
    await state.lockJob('nightly', 'run-1').then((lock) => lock[Symbol.asyncDispose]());
    const lockFile = join(state.dir, 'jobs', 'nightly.lock');
    await writeFile(lockFile, JSON.stringify({ pid: DEAD_PID, runId: 'killed' }));
    const mine = await state.lockJob('nightly', 'run-2');
    // Someone replaced it meanwhile (an operator, say): ours must not delete theirs.
    await writeFile(lockFile, JSON.stringify({ pid: DEAD_PID, runId: 'theirs' }));
    await mine[Symbol.asyncDispose]();
    expect(await readdir(join(state.dir, 'jobs'))).toContain('nightly.lock');
  });

  it('keeps job names with slashes and dots inside the state directory', async () => {
    const lock = await state.lockJob('../../etc/evil', 'run-1');
    expect(await readdir(join(state.dir, 'jobs'))).toEqual(['%2E.%2F..%2Fetc%2Fevil.lock']);
    await lock[Symbol.asyncDispose]();
  });
});

describe('backup stamps', () => {
  it('a full backup sets last full and last backup; an incremental only last backup', async () => {
    expect(await state.stamps('nightly')).toEqual({});
    const full = { stamp: 'a', backupType: 'full' as const, time: '2026-01-01T00:00:00Z' };
    const incremental = { stamp: 'b', backupType: 'incremental' as const, time: '2026-01-02T00:00:00Z' };
    await state.recordStamp('nightly', full);
    await state.recordStamp('nightly', incremental);
    expect(await state.stamps('nightly')).toEqual({ lastFull: full, lastBackup: incremental });
    expect(await state.stamps('weekly')).toEqual({});
  });
});

describe('snapshot set records', () => {
  const record = (over: Partial<SnapshotSetRecord>): SnapshotSetRecord => ({
    runId: 'run-1',
    pid: DEAD_PID,
    job: 'nightly',
    setId: 'set-1',
    provider: { name: 'btrfs', snapshotDir: '.stillpoint', origin: 'x:1:1' },
    volumes: [{ name: '/srv', root: '/srv' }],
    recorded: '2026-01-01T00:00:00Z',
    ...over,
  });

  it('lists as leftovers only the sets of runs whose process is gone, of the job asked for', async () => {
    await state.recordSnapshotSet(record({}));
    await state.recordSnapshotSet(record({ runId: 'run-2', pid: process.pid }));
    await state.recordSnapshotSet(record({ runId: 'run-3', job: 'weekly' }));
    expect((await state.leftoverSnapshotSets('nightly')).map((r) => r.runId)).toEqual(['run-1']);
    expect((await state.leftoverSnapshotSets()).map((r) => r.runId).sort()).toEqual(['run-1', 'run-3']);
    await state.forgetSnapshotSet({ runId: 'run-1', setId: 'set-1' });
    expect(await state.leftoverSnapshotSets('nightly')).toEqual([]);
  });
});
