// The provider registry: ProviderName -> implementation, imported on first use so that koffi
// (and each provider's code) loads only when a run needs that provider.

import type { ProviderName, ProviderPlan } from '../plan/types.ts';
import type { SnapshotProvider } from './provider.ts';

export async function loadProvider(name: ProviderName): Promise<SnapshotProvider> {
  switch (name) {
    case 'btrfs':
      return (await import('./btrfs.ts')).btrfsProvider;
    case 'fsfreeze':
      return (await import('./fsfreeze.ts')).fsfreezeProvider;
    case 'lvm':
      return (await import('./lvm.ts')).lvmProvider;
    case 'zfs':
      return (await import('./zfs.ts')).zfsProvider;
    case 'copy':
      return (await import('./copy.ts')).copyProvider;
    default:
      throw new Error(`the ${name} provider is not part of this build of Stillpoint`);
  }
}

/**
 * Globs, relative to each volume root, that the copy must leave out when this provider made
 * the snapshot: the engine adds them to CopySource.exclude. Only btrfs keeps its snapshots
 * inside the volume.
 */
export function copyExcludes(options: ProviderPlan): string[] {
  if (options.name !== 'btrfs') return [];
  const dir = options.snapshotDir.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return [dir, `${dir}/**`];
}
