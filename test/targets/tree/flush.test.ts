// Getting a snapshot onto the disk: write-back that starts during the copy, and the flush before
// publishing that must still report what went wrong in it.

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotFlush, WRITE_BACK_BYTES } from '../../../src/targets/tree/flush.ts';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import * as libc from '../../../src/targets/tree/libc.ts';
import { recordingContext, sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

vi.mock('../../../src/targets/tree/libc.ts', async (original) => {
  const actual = await original<typeof import('../../../src/targets/tree/libc.ts')>();
  return { ...actual, syncFilesystem: vi.fn(actual.syncFilesystem) };
});
const syncfs = vi.mocked(libc.syncFilesystem);

/** A syncfs that the test settles by hand. */
function heldSyncfs(): { settle(error?: Error): void } {
  let settle!: (error?: Error) => void;
  syncfs.mockImplementationOnce(() => new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve()))));
  return { settle: (error) => settle(error) };
}

/** Starts a write-back that fails with EIO. */
function failWriteBack(flush: SnapshotFlush): void {
  const early = heldSyncfs();
  flush.startWriteBack();
  early.settle(Object.assign(new Error('EIO: i/o error, syncfs'), { code: 'EIO' }));
}

afterEach(() => {
  syncfs.mockClear();
});

describe('snapshot flush', () => {
  it('reports an error of an early write-back, which the last syncfs does not report again', async () => {
    using dir = tempDir('flush');
    await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
    failWriteBack(flush);
    await expect(flush.complete()).rejects.toThrow(/could not be written to the target's disk \(EIO: i\/o error, syncfs\); check the disk/);
    expect(syncfs).toHaveBeenCalledTimes(2);
  });

  it('fails the run at the next write-back once an early one failed, instead of after the whole copy', async () => {
    using dir = tempDir('flush');
    await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
    failWriteBack(flush);
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => flush.startWriteBack()).toThrow(/could not be written to the target's disk \(EIO: i\/o error, syncfs\)/);
    expect(syncfs).toHaveBeenCalledTimes(1);
  });

  it('names a failed early write-back as the cause of a step that failed after it', async () => {
    using dir = tempDir('flush');
    await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
    const early = heldSyncfs();
    const failing = flush.explainFailure(async () => {
      flush.startWriteBack();
      early.settle(Object.assign(new Error('ENOSPC: no space left on device, syncfs'), { code: 'ENOSPC' }));
      throw Object.assign(new Error("ENOSPC: no space left on device, fsync 'summary.json'"), { code: 'ENOSPC' });
    });
    await expect(failing).rejects.toThrow(/could not be written to the target's disk \(ENOSPC: no space left on device, syncfs\)/);
    await expect(flush.explainFailure(() => Promise.reject(new Error('other')))).rejects.toThrow(/could not be written/);
  });

  it('leaves the error of a step alone when no write-back failed', async () => {
    using dir = tempDir('flush');
    await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
    flush.startWriteBack();
    await expect(flush.explainFailure(() => Promise.reject(new Error('the copy was cancelled')))).rejects.toThrow(/^the copy was cancelled$/);
  });

  it('starts one write-back at a time, and flushes after the one under way', async () => {
    using dir = tempDir('flush');
    await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
    const early = heldSyncfs();
    flush.startWriteBack();
    flush.startWriteBack();
    expect(syncfs).toHaveBeenCalledTimes(1);
    const completed = flush.complete();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(syncfs).toHaveBeenCalledTimes(1); // the final syncfs waits for the early one
    early.settle();
    await completed;
    expect(syncfs).toHaveBeenCalledTimes(2);
  });

  it('keeps its descriptor open until the write-back under way is over', async () => {
    using dir = tempDir('flush');
    const early = heldSyncfs();
    let disposed = false;
    const run = (async () => {
      await using flush = new SnapshotFlush(dir.path, new AbortController().signal);
      flush.startWriteBack();
    })().then(() => (disposed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(disposed).toBe(false);
    early.settle();
    await run;
    expect(disposed).toBe(true);
  });

  it('starts write-back during a copy of more than WRITE_BACK_BYTES, and not during a small one', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    const half = WRITE_BACK_BYTES / 2 + 1024;
    writeTree(source.path, { 'a.bin': randomBytes(half), 'b.bin': randomBytes(half), 'c.txt': 'small' });
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(syncfs).toHaveBeenCalledTimes(2); // one early, after a.bin and b.bin; one before publishing
    syncfs.mockClear();
    using small = tempDir('src-small');
    writeTree(small.path, { 'c.txt': 'small' });
    await new TreeTarget(target.path).write([sourceOf(small.path)], recordingContext());
    expect(syncfs).toHaveBeenCalledTimes(1);
  });
});
