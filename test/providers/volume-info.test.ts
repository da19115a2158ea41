// resolveVolume reads the mount table where findmnt reads it (/proc/self/mountinfo) instead of
// starting findmnt: it must find what findmnt finds, for the folders this machine has.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountHolding, parseMountInfo, resolveVolume } from '../../src/providers/volume-info.ts';
import { command, describeWith, linux } from '../support/requirements.ts';

describe('the mount table', () => {
  const table = [
    '21 26 0:20 / /proc rw,relatime - proc proc rw',
    '26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '40 26 0:35 /@data /srv/my\\040data rw,relatime shared:20 master:3 - btrfs /dev/loop0 rw,space_cache=v2,subvol=/@data',
    '41 40 0:36 / /srv/my\\040data/inner rw - tmpfs tmpfs rw',
    '42 40 0:37 / /srv/my\\040data/inner rw - xfs /dev/loop1 rw',
    '',
  ].join('\n');

  it('reads each mount: its target unescaped, its type, its source without the subvolume', () => {
    expect(parseMountInfo(table)).toEqual([
      { target: '/proc', fstype: 'proc', source: 'proc' },
      { target: '/', fstype: 'ext4', source: '/dev/vda' },
      { target: '/srv/my data', fstype: 'btrfs', source: '/dev/loop0' },
      { target: '/srv/my data/inner', fstype: 'tmpfs', source: 'tmpfs' },
      { target: '/srv/my data/inner', fstype: 'xfs', source: '/dev/loop1' },
    ]);
  });

  it('finds the deepest mount above a path, and of two on one point the later', () => {
    const mounts = parseMountInfo(table);
    expect(mountHolding('/srv/my data/books', mounts)?.source).toBe('/dev/loop0');
    expect(mountHolding('/srv/my data', mounts)?.source).toBe('/dev/loop0');
    expect(mountHolding('/srv/my data/inner/x', mounts)?.source).toBe('/dev/loop1');
    expect(mountHolding('/srv/my datax', mounts)?.source).toBe('/dev/vda');
    expect(mountHolding('/procfs', mounts)?.target).toBe('/');
  });
});

describe.runIf(linux().ok)('resolveVolume without util-linux', () => {
  it('starts no findmnt: it finds the mount with nothing on the PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      const volume = await resolveVolume(tmpdir());
      expect(volume.mountPoint).toBeDefined();
      expect(tmpdir().startsWith(volume.mountPoint!)).toBe(true);
      expect(volume.fsType).toMatch(/^[a-z0-9.]+$/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describeWith('resolveVolume agrees with findmnt', [linux(), command('findmnt', 'install util-linux')], () => {
  it('on the folders of this machine', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'stillpoint-volume-info-'));
    try {
      for (const path of ['/', '/dev', '/dev/shm', '/proc', tmpdir(), scratch, '/var/tmp', '/sys/fs/cgroup'].filter((p) => existsSync(p))) {
        const volume = await resolveVolume(path);
        const [found] = (
          JSON.parse(execFileSync('findmnt', ['--json', '--nofsroot', '--target', volume.root, '--output', 'TARGET,SOURCE,FSTYPE,UUID'], { encoding: 'utf8' })) as {
            filesystems: { target: string; source: string; fstype: string; uuid: string | null }[];
          }
        ).filesystems;
        expect({ mountPoint: volume.mountPoint, fsType: volume.fsType }, path).toEqual({ mountPoint: found!.target, fsType: found!.fstype });
        expect(volume.device, path).toBe(found!.source.startsWith('/dev/') || found!.fstype === 'zfs' ? found!.source : undefined);
        if (found!.uuid) expect(volume.volumeId, path).toBe(found!.uuid);
      }
    } finally {
      rmSync(scratch, { recursive: true });
    }
  });
});
