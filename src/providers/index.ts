// The provider registry: ProviderName -> implementation, imported on first use so that koffi
// (and each provider's code) loads only when a run needs that provider.

import type { ProviderName, ProviderPlan } from '../plan/types.ts';
import type { SnapshotProvider } from './provider.ts';

// One line per provider; Windows providers are added the same way.
const loaders: Partial<Record<ProviderName, () => Promise<SnapshotProvider>>> = {
  btrfs: async () => (await import('./btrfs.ts')).btrfsProvider,
  fsfreeze: async () => (await import('./fsfreeze.ts')).fsfreezeProvider,
  lvm: async () => (await import('./lvm.ts')).lvmProvider,
  zfs: async () => (await import('./zfs.ts')).zfsProvider,
  copy: async () => (await import('./copy.ts')).copyProvider,
  vss: async () => (await import('./vss/index.ts')).vssProvider,
  wmi: async () => (await import('./wmi.ts')).wmiProvider,
};

export async function loadProvider(name: ProviderName): Promise<SnapshotProvider> {
  const load = loaders[name];
  if (!load) throw new Error(`the ${name} provider is not part of this build of Stillpoint`);
  return load();
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
