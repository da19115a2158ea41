// `snapshot_paths` in an argument list: one argument per readable snapshot path.

import type { ArgvItem, PlanText } from './types.ts';

export function expandSnapshotPaths(argv: ArgvItem[], snapshotPaths: string[] | undefined, where: string): PlanText[] {
  return argv.flatMap((item): PlanText[] => {
    if (typeof item === 'object' && 'snapshotPaths' in item) {
      if (snapshotPaths === undefined) {
        throw new Error(`snapshot_paths has no value in ${where}: snapshot paths exist from after-snapshot on`);
      }
      return snapshotPaths;
    }
    return [item];
  });
}
