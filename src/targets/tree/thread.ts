// Starting the tree target's worker threads (copy pool, scan). A worker does not share the
// compile cache the CLI enabled (bin/stillpoint.js) unless told where it is: without it each
// worker type-strips and compiles its TypeScript modules again, which costs more than copying
// a thousand small files.

import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { setPriority } from 'node:os';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

/** A worker thread: its name, where the system shows one (`top -H`, /proc/PID/task/TID/comm), and what it is given. */
export interface WorkerStart {
  name: string;
  workerData?: unknown;
}

/** Starts the worker thread that runs `file` (see entryPointFile). */
export function startWorker(file: string, { name, workerData }: WorkerStart): Worker {
  // getCompileCacheDir() names the folder of this Node version inside the cache; the
  // variable takes the cache itself.
  const cache = getCompileCacheDir();
  return new Worker(file, { name, workerData, ...(cache ? { env: { ...process.env, NODE_COMPILE_CACHE: dirname(cache) } } : {}) });
}

/** The nice value of a thread that must give way: a tenth of a normal thread's share of a busy core, not nothing. */
export const BACKGROUND_NICE = 10;

/**
 * Gives the calling thread alone a lower CPU priority, for work that should give way to the
 * rest of the process on a busy machine. Linux keeps a nice value per thread, and
 * setpriority(2) given a thread id sets that thread's alone (/proc/thread-self names it).
 * Not through koffi: once the scan thread loaded koffi too, starting beside the copy threads
 * that load it, Node died twice in the test suite inside koffi's module initialisation
 * (FATAL ERROR: napi_throw; koffi issue #190 reports the same in worker threads). Raising
 * one's own nice value cannot be refused.
 */
export function backgroundThreadPriority(): void {
  if (process.platform !== 'linux') return;
  setPriority(Number(ownThreadId()), BACKGROUND_NICE);
}

/**
 * Puts the calling thread's disk reads in the idle I/O class: the I/O scheduler serves them
 * when no other reads wait. Linux keeps the I/O priority per thread too; glibc has no wrapper
 * for ioprio_set(2), and koffi is kept out of the scan's thread (above), so util-linux's
 * `ionice`, given this thread's id, sets it. Only where the scheduler has classes (bfq,
 * mq-deadline); with `none` (common for NVMe) the reads are as any other, and without `ionice`
 * nothing changes either.
 */
export function idleReadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    execFileSync('ionice', ['-c', '3', '-p', ownThreadId()], { stdio: 'ignore' });
  } catch {
    // Not installed, or refused: the reads keep the process's class.
  }
}

/** The calling thread's id, as Linux numbers threads. */
function ownThreadId(): string {
  return readlinkSync('/proc/thread-self').split('/').pop()!;
}
