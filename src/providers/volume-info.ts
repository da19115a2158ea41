// What the engine knows about a volume before it chooses a provider: its mount point, its
// filesystem type, the device (or, for ZFS, the dataset) behind it and its filesystem UUID.
// They are read where findmnt (util-linux) reads them, without starting it: the kernel's
// table of mounts (/proc/self/mountinfo) and udev's links in /dev/disk/by-uuid. A run of a
// small job spent a good part of its start-up starting findmnt. Where udev keeps no link
// (a container, a machine without udev), blkid reads the UUID from the device (root).

import { execFile } from 'node:child_process';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { VolumeInfo } from './provider.ts';

const run = promisify(execFile);

/** One line of /proc/self/mountinfo: what findmnt calls TARGET, SOURCE and FSTYPE. */
export interface Mount {
  target: string;
  source: string;
  fstype: string;
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

  const filesystem = mountHolding(root, parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8')));
  if (!filesystem) throw new Error(`/proc/self/mountinfo has no mount that holds ${root}`);
  const device = filesystem.source.startsWith('/dev/') || filesystem.fstype === 'zfs' ? filesystem.source : undefined;
  const volumeId = device?.startsWith('/dev/') ? ((await udevUuid(device)) ?? (await blkidUuid(device))) : undefined;
  return { name, root, fsType: filesystem.fstype, volumeId, device, mountPoint: filesystem.target };
}

/**
 * The mounts of /proc/self/mountinfo, in mount order. The source is the device (or dataset)
 * alone: a btrfs subvolume's path is a field of its own, as findmnt --nofsroot shows it.
 */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    // ID PARENT MAJOR:MINOR ROOT TARGET OPTIONS [OPTIONAL FIELDS...] - FSTYPE SOURCE SUPER-OPTIONS
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 3) continue;
    mounts.push({ target: unescapeField(fields[4]!), fstype: unescapeField(fields[separator + 1]!), source: unescapeField(fields[separator + 2]!) });
  }
  return mounts;
}

/** The kernel writes a space, tab, newline or backslash in a path as \ and three octal digits. */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount `path` is on, as findmnt --target finds it: the deepest mount point above it; of mounts on one point, the last. */
export function mountHolding(path: string, mounts: Mount[]): Mount | undefined {
  let best: Mount | undefined;
  for (const mount of mounts) {
    const inside = mount.target === sep || path === mount.target || path.startsWith(mount.target + sep);
    if (inside && (!best || mount.target.length >= best.target.length)) best = mount;
  }
  return best;
}

/** The UUID udev links to the device, as findmnt shows it; undefined where udev keeps no link. */
async function udevUuid(device: string): Promise<string | undefined> {
  const links = '/dev/disk/by-uuid';
  let names: string[];
  try {
    names = await readdir(links);
  } catch {
    return undefined;
  }
  const target = await realpath(device).catch(() => device);
  for (const uuid of names) {
    if ((await realpath(join(links, uuid)).catch(() => undefined)) === target) return uuid;
  }
  return undefined;
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
