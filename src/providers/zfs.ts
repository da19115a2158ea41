// The `zfs` provider: `zfs snapshot <dataset>@<marker>`, read through the dataset's
// `.zfs/snapshot/<marker>` directory, `zfs destroy` to release.
//
// `zfs snapshot` given several snapshots of one pool takes them atomically, at one instant, so
// the volumes of a set that share a pool are snapshotted by one command. Pools are
// independent: datasets in different pools get one command per pool, back to back.

import { join, relative } from 'node:path';
import { needsLinux } from './linux/platform.ts';
import { onPath, runTool, ToolError } from './linux/tools.ts';
import { isMarkerOf, snapshotMarker } from './markers.ts';
import type { Availability, SnapshotProvider, SnapshotSet, VolumeInfo } from './provider.ts';
import type { SnapshotInfo } from '../events/types.ts';

/** For a ZFS mount, resolveVolume puts the dataset ("tank/data") in `device`. */
function datasetOf(volume: VolumeInfo): { dataset: string; mountPoint: string } {
  if (volume.fsType !== 'zfs' || !volume.device || !volume.mountPoint) throw new Error(`${volume.root} is not on a known ZFS dataset`);
  return { dataset: volume.device, mountPoint: volume.mountPoint };
}

async function destroy(snapshot: string): Promise<void> {
  try {
    await runTool('zfs', ['destroy', snapshot]);
  } catch (error) {
    if (error instanceof ToolError && /could not find any snapshots|does not exist/i.test(error.stderr)) return;
    throw error;
  }
}

export const zfsProvider: SnapshotProvider = {
  name: 'zfs',

  async probe(volume): Promise<Availability> {
    const platform = needsLinux('zfs');
    if (platform) return platform;
    if (volume.fsType !== 'zfs') return { available: false, reason: `${volume.root} is on ${volume.fsType ?? 'an unknown filesystem'}, not ZFS` };
    if (!volume.device || !volume.mountPoint) return { available: false, reason: `the dataset holding ${volume.root} is unknown` };
    if (!(await onPath('zfs'))) return { available: false, reason: 'the zfs command is not on PATH: install the ZFS utilities (zfsutils-linux)' };
    return { available: true };
  },

  async createSnapshotSet(volumes, _options, context): Promise<SnapshotSet> {
    const marker = snapshotMarker(context.job, context.runId);
    const datasets = [...new Set(volumes.map((volume) => datasetOf(volume).dataset))];
    const byPool = new Map<string, string[]>();
    for (const dataset of datasets) {
      const pool = dataset.split('/')[0]!;
      byPool.set(pool, [...(byPool.get(pool) ?? []), dataset]);
    }
    const created: string[] = [];
    let releasing: Promise<void> | undefined;
    const release = () => {
      releasing ??= (async () => {
        for (const snapshot of created) await destroy(snapshot);
      })();
      return releasing;
    };
    try {
      for (const poolDatasets of byPool.values()) {
        context.signal.throwIfAborted();
        const names = poolDatasets.map((dataset) => `${dataset}@${marker}`);
        await runTool('zfs', ['snapshot', ...names], context.signal);
        created.push(...names);
      }
    } catch (error) {
      await release();
      throw error;
    }
    const snapshots: SnapshotInfo[] = volumes.map((volume) => {
      const { mountPoint } = datasetOf(volume);
      return { volume: volume.name, volumeId: volume.volumeId, snapshotPath: join(mountPoint, '.zfs', 'snapshot', marker, relative(mountPoint, volume.root)) };
    });
    return { id: `zfs:${marker}`, provider: 'zfs', snapshots, release, [Symbol.asyncDispose]: release };
  },

  async cleanupLeftovers(volumes, _options, job) {
    const released: string[] = [];
    const datasets = new Set(volumes.filter((volume) => volume.fsType === 'zfs').map((volume) => datasetOf(volume).dataset));
    for (const dataset of datasets) {
      const out = await runTool('zfs', ['list', '-H', '-t', 'snapshot', '-o', 'name', '-d', '1', dataset]);
      for (const snapshot of out.split('\n').map((line) => line.trim())) {
        const [ofDataset, name] = snapshot.split('@');
        if (ofDataset !== dataset || !name || !isMarkerOf(name, job)) continue;
        await destroy(snapshot);
        released.push(snapshot);
      }
    }
    return released;
  },
};
