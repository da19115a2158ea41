// A worker thread of the copy pool: carries out each request it is sent (copy-request.ts) and
// answers with the reply, until it is asked to leave (CopyPool.close).

import { parentPort, workerData } from 'node:worker_threads';
import { COPY_THREAD_LEAVE, COPY_THREAD_READY, type CopyRequest } from './copy-pool.ts';
import { CopyThreadState, carryOut, type CopyThreadData } from './copy-request.ts';

const state = new CopyThreadState(workerData as CopyThreadData);
parentPort!.on('message', (message: CopyRequest | typeof COPY_THREAD_LEAVE) => {
  // With its port closed, nothing keeps the thread's event loop alive: it ends.
  if (message === COPY_THREAD_LEAVE) parentPort!.close();
  else parentPort!.postMessage(carryOut(message, state));
});
parentPort!.postMessage(COPY_THREAD_READY);
