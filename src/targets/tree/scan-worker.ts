// The thread of a TreeScan (scan.ts): walks every volume as the copy does and posts the
// regular files and bytes counted so far, then the totals. A background scan runs at a lower
// priority: on two cores the copy's threads already keep both busy, and where the progress has
// an estimate, a total that comes later costs less than a copy that does (write.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { backgroundThreadPriority } from './thread.ts';
import { SCAN_REPORT_EVERY_MS, type ScanCount, type ScanWork } from './scan.ts';
import { Selection, walk } from './walk.ts';

const { sources, background } = workerData as ScanWork;
if (background) backgroundThreadPriority();
const count: ScanCount = { files: 0, bytes: 0, done: false };
let reported = Date.now();
for (const source of sources) {
  for (const item of walk(source.readPath, Selection.forVolume(source, source.root), source.oneFileSystem)) {
    if (item.kind !== 'entry' || !item.stat.isFile()) continue;
    count.files++;
    count.bytes += Number(item.stat.size);
    if (Date.now() - reported >= SCAN_REPORT_EVERY_MS) {
      reported = Date.now();
      parentPort!.postMessage(count);
    }
  }
}
parentPort!.postMessage({ ...count, done: true });
