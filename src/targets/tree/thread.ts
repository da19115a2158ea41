// Starting the tree target's worker threads (copy pool, scan). A worker does not share the
// compile cache the CLI enabled (bin/stillpoint.js) unless told where it is: without it each
// worker type-strips and compiles its TypeScript modules again, which costs more than copying
// a thousand small files.

import { readlinkSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { setPriority } from 'node:os';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Starts the worker thread that runs `file` (see entryPointFile). */
export function startWorker(file: string, workerData?: unknown): Worker {
  // getCompileCacheDir() names the folder of this Node version inside the cache; the
  // variable takes the cache itself.
  const cache = getCompileCacheDir();
  return new Worker(file, { workerData, ...(cache ? { env: { ...process.env, NODE_COMPILE_CACHE: dirname(cache) } } : {}) });
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
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), BACKGROUND_NICE);
}
