// A worker thread of the copy pool: carries out each request it is sent (copy-request.ts) and
// answers with the reply.

import { parentPort, workerData } from 'node:worker_threads';
import { COPY_THREAD_READY, type CopyRequest } from './copy-pool.ts';
import { CopyThreadState, carryOut } from './copy-request.ts';
import type { NewFileDefaults } from './metadata.ts';

const state = new CopyThreadState(workerData as NewFileDefaults | undefined);
parentPort!.on('message', (request: CopyRequest) => parentPort!.postMessage(carryOut(request, state)));
parentPort!.postMessage(COPY_THREAD_READY);
