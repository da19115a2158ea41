// A worker for thread.test.ts: says whether the compile cache is on in its thread.
import { getCompileCacheDir } from 'node:module';
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage(getCompileCacheDir() ?? null);
