// The `btrfs` provider: a read-only snapshot of each volume's subvolume, created by the kernel
// through BTRFS_IOC_SNAP_CREATE_V2, as `<volume>/<snapshot-dir>/<marker>`.
//
// Atomicity. Each snapshot is atomic for its subvolume: it holds everything written to it before
// the ioctl and nothing after. Several subvolumes of one job are snapshotted back to back (all
// directories are opened first, so only the ioctls sit in between), each ioctl committing a
// btrfs transaction; btrfs has no call that snapshots several subvolumes at one instant. So the
// set is one instant across subvolumes only for what the job's writers hold still (the writers
// are frozen around this call, LANGUAGE.md §5); an unmanaged program writing to two subvolumes
// can see its writes split by the few milliseconds between two ioctls.
//
// The snapshot directory lives inside the volume it snapshots. A snapshot shows nested
// subvolumes (earlier snapshots) as empty directories, so the copy must leave the snapshot
// directory out: copyExcludes() in index.ts gives the globs.

import { lstat, mkdir, readdir, rmdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { ProviderPlan } from '../plan/types.ts';
import type { SnapshotInfo } from '../events/types.ts';
import { createReadOnlySnapshot, destroySnapshot, openDirectory, SystemCallError, type DirectoryHandle } from './linux/ioctl.ts';
import { needsLinuxRoot } from './linux/platform.ts';
import { isMarkerOf, snapshotMarker } from './markers.ts';
import type { Availability, SnapshotProvider, SnapshotSet, VolumeInfo } from './provider.ts';

/** The inode number of every btrfs subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID). */
const SUBVOLUME_ROOT_INODE = 256;
export const DEFAULT_SNAPSHOT_DIR = '.stillpoint';

function snapshotDirOf(options: ProviderPlan): string {
  return options.name === 'btrfs' ? options.snapshotDir : DEFAULT_SNAPSHOT_DIR;
}

/** Why a snapshot-dir cannot be used, or undefined: it must stay inside the volume. */
function snapshotDirProblem(snapshotDir: string): string | undefined {
  const normalized = normalize(snapshotDir);
  if (isAbsolute(snapshotDir) || normalized === '.' || normalized === '..' || normalized.startsWith(`..${sep}`)) {
    return `snapshot-dir "${snapshotDir}" must be a folder inside the volume, relative to its root (default "${DEFAULT_SNAPSHOT_DIR}")`;
  }
  return undefined;
}

export const btrfsProvider: SnapshotProvider = {
  name: 'btrfs',

  async probe(volume, options): Promise<Availability> {
    const platform = needsLinuxRoot('btrfs', 'creating and deleting snapshots needs CAP_SYS_ADMIN');
    if (platform) return platform;
    if (volume.fsType !== 'btrfs') return { available: false, reason: `${volume.root} is on ${volume.fsType ?? 'an unknown filesystem'}, not btrfs` };
    const status = await lstat(volume.root);
    if (status.ino !== SUBVOLUME_ROOT_INODE) {
      return {
        available: false,
        reason: `${volume.root} is a folder inside a btrfs subvolume, not the root of one: name the subvolume's root as the volume, or make it a subvolume (btrfs subvolume create)`,
      };
    }
    const dirProblem = snapshotDirProblem(snapshotDirOf(options));
    if (dirProblem) return { available: false, reason: dirProblem };
    return { available: true };
  },

  async createSnapshotSet(volumes, options, context): Promise<SnapshotSet> {
    const snapshotDir = snapshotDirOf(options);
    const dirProblem = snapshotDirProblem(snapshotDir);
    if (dirProblem) throw new Error(dirProblem);
    const marker = snapshotMarker(context.job, context.runId);
    const pairs: Array<{ volume: VolumeInfo; source: DirectoryHandle; destination: DirectoryHandle }> = [];
    const created: SnapshotInfo[] = [];
    const set = snapshotSet(marker, created);
    try {
      // Everything but the ioctls first, so that the snapshots follow each other closely.
      for (const volume of volumes) {
        const destinationPath = join(volume.root, snapshotDir);
        await mkdir(destinationPath, { recursive: true, mode: 0o700 });
        pairs.push({ volume, source: await openDirectory(volume.root), destination: await openDirectory(destinationPath) });
      }
      for (const { volume, source, destination } of pairs) {
        context.signal.throwIfAborted();
        await createReadOnlySnapshot(source, destination, marker);
        created.push({ volume: volume.name, volumeId: volume.volumeId, snapshotPath: join(destination.path, marker) });
      }
    } catch (error) {
      await set.release();
      throw error;
    } finally {
      for (const { source, destination } of pairs) {
        source.close();
        destination.close();
      }
    }
    return set;
  },

  async cleanupLeftovers(volumes, options, job) {
    const released: string[] = [];
    for (const volume of volumes) {
      const dir = join(volume.root, snapshotDirOf(options));
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((entry) => isMarkerOf(entry, job))) {
        await destroy(join(dir, name));
        released.push(join(dir, name));
      }
      await removeIfEmpty(dir);
    }
    return released;
  },
};

function snapshotSet(marker: string, snapshots: SnapshotInfo[]): SnapshotSet {
  let releasing: Promise<void> | undefined;
  const release = () => {
    releasing ??= (async () => {
      for (const snapshot of snapshots) await destroy(snapshot.snapshotPath);
      for (const dir of new Set(snapshots.map((snapshot) => join(snapshot.snapshotPath, '..')))) await removeIfEmpty(dir);
    })();
    return releasing;
  };
  return { id: `btrfs:${marker}`, provider: 'btrfs', snapshots, release, [Symbol.asyncDispose]: release };
}

/** Deletes a snapshot; one that is already gone is not an error. */
async function destroy(snapshotPath: string): Promise<void> {
  const parentPath = join(snapshotPath, '..');
  const name = snapshotPath.slice(parentPath.length + 1);
  let parent: DirectoryHandle;
  try {
    parent = await openDirectory(parentPath);
  } catch (error) {
    if (error instanceof SystemCallError && error.code === 'ENOENT') return;
    throw error;
  }
  try {
    await destroySnapshot(parent, name);
  } catch (error) {
    if (error instanceof SystemCallError && error.code === 'ENOENT') return;
    throw error;
  } finally {
    parent.close();
  }
}

/** The snapshot directory is Stillpoint's; leave no empty one behind. */
async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => {});
}
