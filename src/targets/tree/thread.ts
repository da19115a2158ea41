// Starting the tree target's worker threads (copy pool, scan). A worker does not share the
// compile cache the CLI enabled (bin/stillpoint.js) unless told where it is: without it each
// worker type-strips and compiles its TypeScript modules again, which costs more than copying
// a thousand small files.

import { getCompileCacheDir } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Starts the worker thread that runs `file` (see entryPointFile). */
export function startWorker(file: string, workerData?: unknown): Worker {
  // getCompileCacheDir() names the folder of this Node version inside the cache; the
  // variable takes the cache itself.
  const cache = getCompileCacheDir();
  return new Worker(file, { workerData, ...(cache ? { env: { ...process.env, NODE_COMPILE_CACHE: dirname(cache) } } : {}) });
}
