// A worker thread of the copy pool: carries out each request it is sent (copy-request.ts) and
// answers with the reply, in order, until it is asked to leave (CopyPool.close).

import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { COPY_THREAD_READY } from './copy-pool.ts';
import { CopyThreadState, answerRequests, type CopyThreadData, type CopyThreadMessage } from './copy-request.ts';

const port = parentPort!;
const state = new CopyThreadState(workerData as CopyThreadData);
port.on('message', (message: CopyThreadMessage) => {
  const next = () => receiveMessageOnPort(port)?.message as CopyThreadMessage | undefined;
  // With its port closed, nothing keeps the thread's event loop alive: it ends.
  if (answerRequests(message, next, (reply) => port.postMessage(reply), state) === 'leave') port.close();
});
port.postMessage(COPY_THREAD_READY);
