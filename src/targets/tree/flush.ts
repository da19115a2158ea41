// Getting a snapshot onto the disk before it is published. The descriptor is opened when the
// snapshot starts because syncfs(2) reports the write-back errors that happened since its
// descriptor was opened: one opened only at the end would miss an error from write-back the
// kernel did on its own during a long copy.
//
// Write-back starts during the copy, every WRITE_BACK_BYTES written (a reflink writes none), so
// that the disk writes while the walk goes on instead of only once it is over: by default the
// kernel starts only at 10% of memory dirty, or after 30 s. Paired rounds of the full copy,
// caches dropped (bench/results/tree-profile.md, sixth round): 20,000 files / 220 MiB 0.976x,
// 50,000 files / 2.3 GiB 0.915x; the flush at the end went from 0.44 s to 0.04 s on the first.
// syncfs reports an error only once per descriptor, so an error of an early flush is kept for
// the last.

import { closeSync, constants, openSync } from 'node:fs';
import { copyCancelled } from './copy.ts';
import { syncFilesystem } from './libc.ts';

/** Bytes written (not cloned) between two early write-backs. */
export const WRITE_BACK_BYTES = 32 * 1024 * 1024;

export class SnapshotFlush implements AsyncDisposable {
  readonly #dir: string;
  readonly #signal: AbortSignal;
  readonly #fd: number;
  /** The write-back under way, if one is. */
  #early: Promise<void> | undefined;
  /** What an early write-back failed with: the final syncfs would not report it again. */
  #earlyError: unknown;

  constructor(dir: string, signal: AbortSignal) {
    this.#dir = dir;
    this.#signal = signal;
    this.#fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  }

  /**
   * Starts writing what was copied so far to the disk, in the background, unless that is
   * already under way. Throws what an earlier one failed with: a disk that fails the run fails
   * it now, not once the rest has been copied.
   */
  startWriteBack(): void {
    if (this.#earlyError) throw diskFailure(this.#earlyError);
    this.#early ??= syncFilesystem(this.#fd, this.#dir)
      .catch((error: unknown) => void (this.#earlyError ??= error))
      .finally(() => (this.#early = undefined));
  }

  /**
   * Runs `work`. When it fails and an early write-back failed, that failure is the error: the
   * disk failing is what failed the steps after it (a file's fsync saying ENOSPC, say), and it
   * is what to fix.
   */
  async explainFailure<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.#early;
      throw this.#earlyError ? diskFailure(this.#earlyError) : error;
    }
  }

  /**
   * Resolves once everything written so far is on the disk; throws the error the disk reported,
   * or, since the flush can take seconds, the cancellation of a run cancelled meanwhile.
   */
  async complete(): Promise<void> {
    try {
      await this.#early;
      await syncFilesystem(this.#fd, this.#dir);
      if (this.#earlyError) throw this.#earlyError;
    } catch (error) {
      throw diskFailure(error);
    }
    if (this.#signal.aborted) throw copyCancelled(this.#signal);
  }

  /** After the write-back under way, if one is: syncfs must not be left using a closed descriptor. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#early;
    closeSync(this.#fd);
  }
}

function diskFailure(error: unknown): Error {
  return new Error(
    `the copied files could not be written to the target's disk (${(error as Error).message}); check the disk (dmesg). ` +
      'The unfinished snapshot was not published; earlier snapshots are intact.',
    { cause: error },
  );
}
