// The thread of a TreeScan (scan.ts): walks every volume as the copy does but from the end, and
// posts the regular files and bytes counted so far with the manifest path it has got back to,
// at once for the first file and then every SCAN_REPORT_EVERY_FILES files or
// SCAN_REPORT_EVERY_MS, until the scan is stopped where it meets the copy's walk. Its reads are
// in the idle I/O class: they would otherwise come between the copy's reads of data, and made a
// first backup about 2% slower (tree-profile.md, eleventh round). A background scan also runs
// at a lower CPU priority: on two cores the copy's threads already keep both busy, and where
// the progress has an estimate, a total that comes later costs less than a copy that does
// (write.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { below } from './layout.ts';
import { backgroundThreadPriority, idleReadPriority } from './thread.ts';
import { SCAN_REPORT_EVERY_FILES, SCAN_REPORT_EVERY_MS, type ScanReport, type ScanWork } from './scan.ts';
import { Selection, walk } from './walk.ts';

const { volumes, background } = workerData as ScanWork;
idleReadPriority();
if (background) backgroundThreadPriority();
const report: ScanReport = { files: 0, bytes: 0, done: false };
let reported = 0;
for (const { source, folder } of [...volumes].reverse()) {
  for (const item of walk(source.readPath, Selection.forVolume(source, source.root), source.oneFileSystem, { reverse: true })) {
    if (item.kind !== 'entry' || !item.stat.isFile()) continue;
    report.files++;
    report.bytes += Number(item.stat.size);
    report.from = below(folder, item.rel);
    if (report.files === 1 || report.files % SCAN_REPORT_EVERY_FILES === 0 || Date.now() - reported >= SCAN_REPORT_EVERY_MS) {
      reported = Date.now();
      parentPort!.postMessage(report);
    }
  }
}
parentPort!.postMessage({ ...report, done: true });
