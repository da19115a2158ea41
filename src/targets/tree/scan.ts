// The scan that counts what a copy will handle, so that progress can show a percentage and the
// time left (as restic's scanner does). It walks the same volumes with the same selection on a
// thread of its own, so the walk that copies never waits for it; on a machine with few cores it
// still takes CPU from that walk, which is why a copy starts it late, and lets it give way when
// the progress has an estimate meanwhile (write.ts). What it counts is only shown, never
// trusted: the copy's own counts are the result.
//
// The scan counts from the end, in descending manifest order, while the copy's walk counts from
// the start: where the two meet the totals are known, the walk's files before that point and
// the scan's from it on (Tally). Neither counts a file twice, so the scan does only the part of
// the work the walk has not done, and the totals come sooner than from a scan of everything.

import type { Worker } from 'node:worker_threads';
import type { CopySource } from '../target.ts';
import { entryPointFile } from '../../package-layout.ts';
import { comparePaths } from './layout.ts';
import { startWorker } from './thread.ts';

/** What is counted: regular files and their bytes, as the copy counts them. */
export interface ScanCount {
  files: number;
  bytes: number;
  /** The counts are the totals. */
  done: boolean;
}

/** What the scan's thread says: the files it has counted from the end back to `from`. */
export interface ScanReport {
  files: number;
  bytes: number;
  /** The manifest path of the last file counted: every file from it to the end is counted. None before the first. */
  from?: string;
  /** The scan has come to the start: every file is counted. */
  done: boolean;
}

/** Where the copy's walk has got: the regular files it has come to, their bytes, and the manifest path of the last. */
export interface WalkPosition {
  files: number;
  bytes: number;
  path?: string;
}

/** When a scan starts, and how it shares the CPU. */
export interface ScanStart {
  /** A copy that ends sooner needs no total, and is spared starting a thread. */
  afterMs: number;
  /** On a thread of lower priority (thread.ts backgroundThreadPriority). */
  background: boolean;
}

/** A volume to scan, and its folder in the snapshot: the first part of its manifest paths. */
export interface ScanVolume {
  source: CopySource;
  folder: string;
}

/** What a scan's thread is given. */
export interface ScanWork {
  /** In manifest order, as the copy walks them; the scan takes them from the last. */
  volumes: ScanVolume[];
  background: boolean;
}

/** How often the scan says how far it has got, whichever comes first. */
export const SCAN_REPORT_EVERY_MS = 250;
/**
 * Also every this many files: the walk can only meet the scan where the scan last said it was,
 * and a warm scan counts tens of thousands of files in SCAN_REPORT_EVERY_MS.
 */
export const SCAN_REPORT_EVERY_FILES = 1000;

/**
 * Where the scan from the end and the copy's walk from the start meet. The walk is read as it
 * goes (the same WalkPosition the copy advances). The totals are known once the walk reaches
 * the `from` of a report made while that point was still ahead of it; a later report from behind
 * the walk only says that the scan has nothing more to do.
 */
export class Tally {
  readonly #walk: WalkPosition;
  /** The latest report whose `from` was still ahead of the walk when it came. */
  #ahead: ScanReport | undefined;
  #totals: { files: number; bytes: number } | undefined;

  constructor(walk: WalkPosition) {
    this.#walk = walk;
  }

  /** Takes a report of the scan's thread; true when that thread has nothing more to do. */
  report(report: ScanReport): boolean {
    if (this.#totals) return true;
    const walked = this.#walk.path;
    if (report.from !== undefined && walked !== undefined && comparePaths(report.from, walked) <= 0) {
      // Without an earlier report, the scan's first (its last file) is behind: the walk has come to every file.
      if (!this.#ahead) this.#totals = this.#sum(undefined);
      return true;
    }
    if (report.done) {
      // Every file is counted and the walk has come to none of them.
      this.#totals = this.#sum(report);
      return true;
    }
    if (report.from !== undefined) this.#ahead = report;
    return false;
  }

  /** The walk is about to count the file at `path`: true when that is where the totals became known. */
  reach(path: string): boolean {
    const ahead = this.#ahead;
    if (this.#totals || !ahead || comparePaths(path, ahead.from!) < 0) return false;
    this.#totals = this.#sum(ahead);
    return true;
  }

  /** Whether the totals are known. */
  get known(): boolean {
    return this.#totals !== undefined;
  }

  /** The totals once known; until then what the walk and the scan have counted between them; undefined before the scan's first report. */
  get count(): ScanCount | undefined {
    if (this.#totals) return { ...this.#totals, done: true };
    if (this.#ahead) return { ...this.#sum(this.#ahead), done: false };
    return undefined;
  }

  #sum(report: ScanReport | undefined): { files: number; bytes: number } {
    return { files: this.#walk.files + (report?.files ?? 0), bytes: this.#walk.bytes + (report?.bytes ?? 0) };
  }
}

export class TreeScan {
  readonly #work: ScanWork;
  readonly #tally: Tally;
  readonly #onTotals: () => void;
  readonly #start: NodeJS.Timeout;
  #worker: Worker | undefined;

  /**
   * `walk`: the copy's position, which the copy advances and tells of each file through reach.
   * `onTotals` is called once, when the totals become known.
   */
  constructor(volumes: ScanVolume[], walk: WalkPosition, onTotals: () => void, start: ScanStart) {
    this.#work = { volumes, background: start.background };
    this.#tally = new Tally(walk);
    this.#onTotals = onTotals;
    this.#start = setTimeout(() => this.#run(), start.afterMs);
  }

  #run(): void {
    const worker = startWorker(entryPointFile('targets/tree/scan-worker'), { name: 'stillpoint-scan', workerData: this.#work });
    this.#worker = worker;
    worker.unref();
    worker.on('message', (report: ScanReport) => {
      const known = this.#tally.known;
      if (this.#tally.report(report)) void worker.terminate();
      if (!known && this.#tally.known) this.#onTotals();
    });
    // A scan that fails only costs the total; the copy goes on without one.
    worker.on('error', () => {});
  }

  /** The copy's walk is about to count the file at the manifest path `path`. */
  reach(path: string): void {
    if (!this.#tally.reach(path)) return;
    void this.#worker?.terminate();
    this.#onTotals();
  }

  /**
   * The totals, or what has been counted so far; undefined until the scan's thread has first
   * said, so that a copy's first progress shows no "counting: 0 files".
   */
  get count(): ScanCount | undefined {
    return this.#tally.count;
  }

  async close(): Promise<void> {
    clearTimeout(this.#start);
    await this.#worker?.terminate();
  }
}
