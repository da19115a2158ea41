// The scan that counts what a copy will handle, so that progress can show a percentage and the
// time left (as restic's scanner does). It walks the same volumes with the same selection on a
// thread of its own, so the walk that copies never waits for it; on a machine with few cores it
// still takes CPU from that walk, which is why a copy starts it late, and lets it give way when
// the progress has an estimate meanwhile (write.ts). What it counts is only shown, never
// trusted: the copy's own counts are the result.

import type { Worker } from 'node:worker_threads';
import type { CopySource } from '../target.ts';
import { entryPointFile } from '../../package-layout.ts';
import { startWorker } from './thread.ts';

/** What the scan has counted: regular files and their bytes, as the copy counts them. */
export interface ScanCount {
  files: number;
  bytes: number;
  /** The scan has finished: the counts are the totals. */
  done: boolean;
}

/** When a scan starts, and how it shares the CPU. */
export interface ScanStart {
  /** A copy that ends sooner needs no total, and is spared starting a thread. */
  afterMs: number;
  /** On a thread of lower priority (thread.ts backgroundThreadPriority). */
  background: boolean;
}

/** What a scan's thread is given. */
export interface ScanWork {
  sources: CopySource[];
  background: boolean;
}

/** How often the scan says how far it has got. */
export const SCAN_REPORT_EVERY_MS = 250;

export class TreeScan {
  readonly #work: ScanWork;
  readonly #onCount: (count: ScanCount) => void;
  readonly #start: NodeJS.Timeout;
  #worker: Worker | undefined;
  #count: ScanCount | undefined;

  /** `onCount` is called at most every SCAN_REPORT_EVERY_MS and once when the scan is done. */
  constructor(sources: CopySource[], onCount: (count: ScanCount) => void, start: ScanStart) {
    this.#work = { sources, background: start.background };
    this.#onCount = onCount;
    this.#start = setTimeout(() => this.#run(), start.afterMs);
  }

  #run(): void {
    this.#worker = startWorker(entryPointFile('targets/tree/scan-worker'), this.#work);
    this.#worker.unref();
    this.#worker.on('message', (count: ScanCount) => {
      this.#count = count;
      this.#onCount(count);
    });
    // A scan that fails only costs the total; the copy goes on without one.
    this.#worker.on('error', () => {});
  }

  /**
   * What the scan has counted so far; undefined until its thread has first said (after
   * SCAN_REPORT_EVERY_MS), so that a copy's first progress shows no "counting: 0 files".
   */
  get count(): ScanCount | undefined {
    return this.#count;
  }

  async close(): Promise<void> {
    clearTimeout(this.#start);
    await this.#worker?.terminate();
  }
}
