// What the engine knows about a volume before it chooses a provider: its mount point, its
// filesystem type, the device (or, for ZFS, the dataset) behind it and its filesystem UUID,
// from findmnt and blkid (util-linux).

import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { VolumeInfo } from './provider.ts';

const run = promisify(execFile);

interface FindmntFilesystem {
  target: string;
  source: string;
  fstype: string;
  uuid: string | null;
}

/**
 * Resolves a volume as written in the script. `device` is the block device for block
 * filesystems and the dataset ("tank/data") for ZFS, which is what each provider needs.
 */
export async function resolveVolume(path: string, name = path): Promise<VolumeInfo> {
  const absolute = resolve(path);
  let root: string;
  try {
    root = await realpath(absolute);
  } catch (error) {
    throw new Error(`volume "${name}" does not exist: ${absolute} (${(error as NodeJS.ErrnoException).code ?? String(error)}); create it or correct the path in the script`);
  }
  if (!(await stat(root)).isDirectory()) throw new Error(`volume "${name}" is not a directory: ${root}`);
  if (process.platform !== 'linux') return { name, root };

  const filesystem = await findMount(root);
  const device = filesystem.source.startsWith('/dev/') || filesystem.fstype === 'zfs' ? filesystem.source : undefined;
  const volumeId = filesystem.uuid ?? (device?.startsWith('/dev/') ? await blkidUuid(device) : undefined);
  return { name, root, fsType: filesystem.fstype, volumeId, device, mountPoint: filesystem.target };
}

async function findMount(root: string): Promise<FindmntFilesystem> {
  // -v (--nofsroot): a btrfs subvolume's source without the "[/subvol]" suffix.
  const { stdout } = await run('findmnt', ['--json', '--nofsroot', '--target', root, '--output', 'TARGET,SOURCE,FSTYPE,UUID']);
  const filesystem = (JSON.parse(stdout) as { filesystems: FindmntFilesystem[] }).filesystems[0];
  if (!filesystem) throw new Error(`findmnt found no mount that holds ${root}`);
  return filesystem;
}

async function blkidUuid(device: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('blkid', ['--output', 'value', '--match-tag', 'UUID', device]);
    return stdout.trim() || undefined;
  } catch {
    // blkid needs to read the device (root); without it the UUID stays unknown, which is allowed.
    return undefined;
  }
}
