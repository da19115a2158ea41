// Getting a snapshot onto the disk before it is published. The descriptor is opened when the
// snapshot starts because syncfs(2) reports the write-back errors that happened since its
// descriptor was opened: one opened only at the end would miss an error from write-back the
// kernel did on its own during a long copy. (Starting write-back early, every 64 MiB, was
// tried and measured: bench/tree.ts showed no gain, so the flush happens once, at the end.)

import { closeSync, constants, openSync } from 'node:fs';
import { copyCancelled } from './copy.ts';
import { syncFilesystem } from './libc.ts';

export class SnapshotFlush implements Disposable {
  readonly #dir: string;
  readonly #signal: AbortSignal;
  readonly #fd: number;

  constructor(dir: string, signal: AbortSignal) {
    this.#dir = dir;
    this.#signal = signal;
    this.#fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  }

  /**
   * Resolves once everything written so far is on the disk; throws the error the disk reported,
   * or, since the flush can take seconds, the cancellation of a run cancelled meanwhile.
   */
  async complete(): Promise<void> {
    try {
      await syncFilesystem(this.#fd, this.#dir);
    } catch (error) {
      throw new Error(
        `the copied files could not be written to the target's disk (${(error as Error).message}); check the disk (dmesg). ` +
          'The unfinished snapshot was not published; earlier snapshots are intact.',
        { cause: error },
      );
    }
    if (this.#signal.aborted) throw copyCancelled(this.#signal);
  }

  [Symbol.dispose](): void {
    closeSync(this.#fd);
  }
}
