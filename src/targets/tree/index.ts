// The tree target (LANGUAGE.md §4.4): versioned folders of plain files, unchanged files hard
// linked to the previous snapshot, a SHA-256 manifest per snapshot. Layout: layout.ts.

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
