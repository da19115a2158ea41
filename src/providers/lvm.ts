// The `lvm` provider: `lvcreate --snapshot` of each volume's logical volume, mounted read-only
// under /run/stillpoint/<snapshot name>, read there, then unmounted and `lvremove`d. LVM names
// are per volume group, so each snapshot's name is the run's marker qualified by its origin.
//
// lvcreate suspends the origin's device-mapper device while it snapshots, which freezes the
// filesystem on it: each snapshot is filesystem-consistent. Several logical volumes are
// snapshotted back to back (LVM has no multi-volume snapshot), so across volumes the set is one
// instant for what the job's writers hold still, as with btrfs.

import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ProviderPlan } from '../plan/types.ts';
import type { SnapshotInfo } from '../events/types.ts';
import { needsLinuxRoot } from './linux/platform.ts';
import { onPath, runTool, ToolError } from './linux/tools.ts';
import { isMarkerOf, snapshotMarker } from './markers.ts';
import type { Availability, SnapshotProvider, SnapshotSet, VolumeInfo } from './provider.ts';

export const DEFAULT_MOUNT_BASE = '/run/stillpoint';

interface LogicalVolume {
  vg: string;
  lv: string;
  /** lvs's lv_attr: the first letter is the volume type ("V" thin, "s" snapshot, "-" plain). */
  attr: string;
}

interface CreatedSnapshot {
  vg: string;
  name: string;
  mountDir: string;
  mounted: boolean;
}

async function logicalVolume(device: string): Promise<LogicalVolume> {
  const out = await runTool('lvs', ['--noheadings', '--separator', ',', '--options', 'vg_name,lv_name,lv_attr', device]);
  const [vg, lv, attr] = out.trim().split(',').map((field) => field.trim());
  if (!vg || !lv || !attr) throw new Error(`lvs printed no logical volume for ${device}`);
  return { vg, lv, attr };
}

function sizeArgs(options: ProviderPlan, origin: LogicalVolume): string[] {
  // A thin snapshot shares its pool's space and takes no size.
  if (origin.attr.startsWith('V')) return ['--setactivationskip', 'n'];
  const size = options.name === 'lvm' ? options.size : { percent: 10 };
  return 'percent' in size ? ['--extents', `${size.percent}%ORIGIN`] : ['--size', `${size.bytes}b`];
}

function mountOptions(fsType: string | undefined): string {
  // A snapshot of XFS carries the origin's UUID, which XFS refuses to mount twice.
  return fsType === 'xfs' ? 'ro,nouuid' : 'ro';
}

export function createLvmProvider(mountBase = DEFAULT_MOUNT_BASE): SnapshotProvider {
  const mountDirOf = (name: string) => join(mountBase, name);


  async function lvremove(vg: string, name: string): Promise<void> {
    try {
      await runTool('lvremove', ['--yes', `${vg}/${name}`]);
    } catch (error) {
      if (error instanceof ToolError && /failed to find logical volume/i.test(error.stderr)) return;
      throw error;
    }
  }

  function snapshotSet(marker: string, created: CreatedSnapshot[], snapshots: SnapshotInfo[]): SnapshotSet {
    let releasing: Promise<void> | undefined;
    const release = () => {
      releasing ??= (async () => {
        for (const snapshot of created) if (snapshot.mounted) await unmount(snapshot.mountDir);
        for (const snapshot of created) await lvremove(snapshot.vg, snapshot.name);
        for (const snapshot of created) await removeMountDir(snapshot.mountDir);
      })();
      return releasing;
    };
    return { id: `lvm:${marker}`, provider: 'lvm', snapshots, release, [Symbol.asyncDispose]: release };
  }

  return {
    name: 'lvm',

    async probe(volume): Promise<Availability> {
      const platform = needsLinuxRoot('lvm', 'lvcreate and mount need root');
      if (platform) return platform;
      if (!volume.device?.startsWith('/dev/')) return { available: false, reason: `the block device behind ${volume.root} is unknown` };
      if (!(await onPath('lvcreate'))) return { available: false, reason: 'the lvm2 tools (lvs, lvcreate, lvremove) are not on PATH: install lvm2' };
      let origin: LogicalVolume;
      try {
        origin = await logicalVolume(volume.device);
      } catch {
        return { available: false, reason: `${volume.device} (holding ${volume.root}) is not an LVM logical volume` };
      }
      if (origin.attr.startsWith('s')) return { available: false, reason: `${origin.vg}/${origin.lv} is itself a snapshot` };
      return { available: true };
    },

    async createSnapshotSet(volumes, options, context) {
      const marker = snapshotMarker(context.job, context.runId);
      const created: CreatedSnapshot[] = [];
      const snapshots: SnapshotInfo[] = [];
      const set = snapshotSet(marker, created, snapshots);
      try {
        // Several volumes on one logical volume share its snapshot.
        const byDevice = new Map<string, VolumeInfo[]>();
        for (const volume of volumes) {
          if (!volume.device) throw new Error(`the block device behind ${volume.root} is unknown`);
          byDevice.set(volume.device, [...(byDevice.get(volume.device) ?? []), volume]);
        }
        const origins: LogicalVolume[] = [];
        for (const device of byDevice.keys()) origins.push(await logicalVolume(device));
        for (const origin of origins) {
          context.signal.throwIfAborted();
          const name = snapshotMarker(context.job, context.runId, `${origin.vg}/${origin.lv}`);
          await runTool('lvcreate', ['--snapshot', '--name', name, ...sizeArgs(options, origin), `${origin.vg}/${origin.lv}`], context.signal);
          created.push({ vg: origin.vg, name, mountDir: mountDirOf(name), mounted: false });
        }
        for (const [index, group] of [...byDevice.values()].entries()) {
          const snapshot = created[index]!;
          await mkdir(snapshot.mountDir, { recursive: true, mode: 0o700 });
          await runTool('mount', ['-o', mountOptions(group[0]!.fsType), `/dev/${snapshot.vg}/${snapshot.name}`, snapshot.mountDir]);
          snapshot.mounted = true;
          for (const volume of group) {
            const inside = relative(volume.mountPoint ?? volume.root, volume.root);
            snapshots.push({ volume: volume.name, volumeId: volume.volumeId, snapshotPath: join(snapshot.mountDir, inside) });
          }
        }
      } catch (error) {
        await set.release();
        throw error;
      }
      return set;
    },

    async cleanupLeftovers(_volumes, _options, job) {
      const out = await runTool('lvs', ['--noheadings', '--separator', ',', '--options', 'vg_name,lv_name']);
      const released: string[] = [];
      for (const line of out.split('\n')) {
        const [vg, name] = line.split(',').map((field) => field.trim());
        if (!vg || !name || !isMarkerOf(name, job)) continue;
        if (existsSync(mountDirOf(name))) await unmount(mountDirOf(name));
        await lvremove(vg, name);
        await removeMountDir(mountDirOf(name));
        released.push(`${vg}/${name}`);
      }
      return released;
    },
  };
}

/** rmdir, never recursive: a directory that is somehow still mounted must not be emptied. */
async function removeMountDir(dir: string): Promise<void> {
  await rmdir(dir).catch(() => {});
}

/** umount; a directory that is no longer mounted is not an error. */
async function unmount(dir: string): Promise<void> {
  try {
    await runTool('umount', [dir]);
  } catch (error) {
    if (error instanceof ToolError && /not mounted|no mount point|not found/i.test(error.stderr)) return;
    throw error;
  }
}

export const lvmProvider = createLvmProvider();
