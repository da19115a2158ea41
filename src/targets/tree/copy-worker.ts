// A worker thread of the copy pool: copies the files of a request in order (copy.ts) and
// answers with their outcomes, or with the error that fails the snapshot.

import { parentPort, workerData } from 'node:worker_threads';
import { COPY_BUFFER_BYTES, copyRegularFile, type CloneState, type CopyOutcome } from './copy.ts';
import type { CopyReply, CopyRequest } from './copy-pool.ts';
import type { NewFileDefaults } from './metadata.ts';

const buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
const newFile = workerData as NewFileDefaults | undefined;
/** Per volume: a reflink may work from one volume and not another. */
const clones = new Map<string, CloneState>();

parentPort!.on('message', (request: CopyRequest) => {
  let xattrTrouble: CopyReply['xattrTrouble'];
  const clone = clones.get(request.volume) ?? { works: undefined };
  clones.set(request.volume, clone);
  let reply: CopyReply;
  try {
    const outcomes: CopyOutcome[] = [];
    for (const file of request.files) {
      outcomes.push(
        copyRegularFile(file.source, file.dest, {
          live: request.live,
          clone,
          buffer,
          newFile,
          onXattrTrouble: (error) => (xattrTrouble ??= { code: error.code, message: error.message }),
        }),
      );
    }
    reply = { id: request.id, outcomes, xattrTrouble };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    reply = { id: request.id, error: { message: e.message, code: e.code, path: e.path, syscall: e.syscall, errno: e.errno } };
  }
  parentPort!.postMessage(reply);
});
