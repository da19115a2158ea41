// Getting a snapshot onto the disk before it is published. The descriptor is opened when the
// snapshot starts because syncfs(2) reports the write-back errors that happened since its
// descriptor was opened: one opened only at the end would miss an error from write-back the
// kernel did on its own during a long copy. Write-back also starts early, every so many bytes,
// so that the disk writes while the copy goes on and the final flush has little left to do.

import { closeSync, constants, openSync } from 'node:fs';
import { syncFilesystem } from './libc.ts';

/** Copied bytes after which a background flush starts (unless one is running). */
const EARLY_FLUSH_BYTES = 64 * 1024 * 1024;

export class SnapshotFlush implements Disposable {
  readonly #dir: string;
  readonly #fd: number;
  #running: Promise<void> | undefined;
  #error: unknown;
  #unflushed = 0;

  constructor(dir: string) {
    this.#dir = dir;
    this.#fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  }

  /** Counts bytes written into the snapshot. */
  copied(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < EARLY_FLUSH_BYTES || this.#running) return;
    this.#unflushed = 0;
    this.#running = this.#sync().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once everything written so far is on the disk; throws the error the disk reported. */
  async complete(): Promise<void> {
    await this.#running;
    await this.#sync();
    if (this.#error !== undefined) {
      const e = this.#error as NodeJS.ErrnoException;
      throw new Error(
        `the copied files could not be written to the target's disk (${e.message}); check the disk (dmesg). ` +
          'The unfinished snapshot was removed; earlier snapshots are intact.',
        { cause: e },
      );
    }
  }

  async #sync(): Promise<void> {
    try {
      await syncFilesystem(this.#fd, this.#dir);
    } catch (error) {
      this.#error ??= error;
    }
  }

  [Symbol.dispose](): void {
    // A flush still running (the run failed meanwhile) keeps its descriptor until it ends.
    const close = () => closeSync(this.#fd);
    if (this.#running) void this.#running.finally(close);
    else close();
  }
}
