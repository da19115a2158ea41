// The `copy` provider: no snapshot at all. The readable path of each volume is its live root;
// the two-phase copy of LANGUAGE.md §6 (set aside locked or changing files, retry them) is the
// target's work, driven by CopySource.live. Always available, nothing to clean up.

import type { SnapshotProvider, SnapshotSet, VolumeInfo } from './provider.ts';
import type { ProviderName } from '../plan/types.ts';

/** A set whose readable paths are the live volume roots (copy; fsfreeze after its thaw). */
export function liveSnapshotSet(provider: ProviderName, volumes: VolumeInfo[], job: string, runId: string): SnapshotSet {
  const release = async () => {};
  return {
    // Not a marker: nothing is created, so no name limit may stop a live copy.
    id: `${provider}:${job}:${runId}`,
    provider,
    snapshots: volumes.map((volume) => ({ volume: volume.name, volumeId: volume.volumeId, snapshotPath: volume.root })),
    release,
    [Symbol.asyncDispose]: release,
  };
}

export const copyProvider: SnapshotProvider = {
  name: 'copy',
  probe: async () => ({ available: true }),
  createSnapshotSet: async (volumes, _options, context) => liveSnapshotSet('copy', volumes, context.job, context.runId),
  cleanupLeftovers: async () => [],
};
