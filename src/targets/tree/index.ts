// The tree target (LANGUAGE.md §4.4): versioned folders of plain files, unchanged files hard
// linked to the previous snapshot, a SHA-256 manifest per snapshot.
//
//   layout.ts     folder names (PATH/<yyyy-MM-ddTHHmmssZ>[-NN]/<volume folder>/...), the
//                 hidden .partial- folder and the atomic publish, listing, stale cleanup
//   walk.ts       include/exclude globs, system files, one-file-system; sorted pre-order walk
//   manifest.ts   the NDJSON manifest: streamed writer, streamed reader, merge-join cursor
//   write.ts      one run: link or copy each entry, two phases for live copies, publish
//   copy.ts       one file: read once, hash and write; reflink where the target allows
//   copy-pool.ts  worker threads: large files alone, small ones in batches
//   flush.ts      syncfs before publishing: a published snapshot is on the disk
//   metadata.ts   owner, mode, xattrs, ns times; libc.ts the libc calls (koffi)
//   retention.ts  keep last/daily/weekly/monthly; restore.ts, verify.ts, list.ts: the commands
//
// A file is "unchanged" when size, mtime (ns), mode, uid and gid equal the previous
// manifest's entry; a change of only its xattrs is not seen (as with rsync --link-dest).

import type { KeepPlan } from '../../plan/types.ts';
import type { CopySource, Target, TargetContext, TargetResult } from '../target.ts';
import { pruneSnapshots } from './retention.ts';
import { writeSnapshot } from './write.ts';

export class TreeTarget implements Target {
  readonly kind = 'tree';
  readonly location: string;

  constructor(path: string) {
    this.location = path;
  }

  write(sources: CopySource[], context: TargetContext): Promise<TargetResult> {
    return writeSnapshot(this.location, sources, context);
  }

  prune(keep: KeepPlan, _context: TargetContext): Promise<{ removed: string[]; kept: string[] }> {
    return pruneSnapshots(this.location, keep);
  }
}
