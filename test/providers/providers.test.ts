// The registry, volume resolution, the copy provider, and the probe reasons that need no
// special filesystem (those that do are in test/system/providers-*.test.ts).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { copyExcludes, loadProvider } from '../../src/providers/index.ts';
import { resolveVolume } from '../../src/providers/volume-info.ts';
import type { ProviderName, ProviderPlan } from '../../src/plan/types.ts';
import type { VolumeInfo } from '../../src/providers/provider.ts';
import { snapshotContext } from './support/context.ts';
import { describeWith, linux, root } from '../support/requirements.ts';

const btrfs: ProviderPlan = { name: 'btrfs', snapshotDir: '.stillpoint', origin: 'x' };
const fsfreeze: ProviderPlan = { name: 'fsfreeze', origin: 'x' };
const ext4Volume: VolumeInfo = { name: 'srv', root: '/srv', fsType: 'ext4', device: '/dev/vdb', mountPoint: '/srv' };

describe('provider registry', () => {
  it('loads each Linux provider and the copy provider by name', async () => {
    for (const name of ['btrfs', 'fsfreeze', 'lvm', 'zfs', 'copy'] as ProviderName[]) {
      expect((await loadProvider(name)).name).toBe(name);
    }
  });

  it('names the btrfs snapshot directory for the copy to leave out, and nothing for the others', () => {
    expect(copyExcludes(btrfs)).toEqual(['.stillpoint', '.stillpoint/**']);
    expect(copyExcludes({ ...btrfs, snapshotDir: './snaps/' })).toEqual(['snaps', 'snaps/**']);
    expect(copyExcludes(fsfreeze)).toEqual([]);
  });
});

describe.runIf(linux().ok)('resolveVolume', () => {
  it('finds the mount, filesystem type and device of a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stillpoint-volume-'));
    try {
      const volume = await resolveVolume(dir, 'scratch');
      expect(volume.name).toBe('scratch');
      expect(volume.root).toBe(dir);
      expect(dir.startsWith(volume.mountPoint!)).toBe(true);
      expect(volume.fsType).toMatch(/^[a-z0-9]+$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('says which volume is missing or not a folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stillpoint-volume-'));
    try {
      await expect(resolveVolume(join(dir, 'nope'), '/srv/nope')).rejects.toThrow(
        `volume "/srv/nope" does not exist: ${join(dir, 'nope')} (ENOENT); create it or correct the path in the script`,
      );
      writeFileSync(join(dir, 'file'), '');
      await expect(resolveVolume(join(dir, 'file'))).rejects.toThrow(`is not a directory: ${join(dir, 'file')}`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('copy provider', () => {
  it('is always available and reads the live roots', async () => {
    const copy = await loadProvider('copy');
    expect(await copy.probe(ext4Volume, { name: 'copy', retries: 2, retryDelayMs: 5000, origin: 'x' })).toEqual({ available: true });
    const set = await copy.createSnapshotSet([ext4Volume], { name: 'copy', retries: 2, retryDelayMs: 5000, origin: 'x' }, snapshotContext());
    expect(set.snapshots).toEqual([{ volume: 'srv', volumeId: undefined, snapshotPath: '/srv' }]);
    expect(set.provider).toBe('copy');
    const longName = await copy.createSnapshotSet([ext4Volume], { name: 'copy', retries: 2, retryDelayMs: 5000, origin: 'x' }, snapshotContext({ job: 'j'.repeat(300) }));
    expect(longName.snapshots).toHaveLength(1);
    await set.release();
    expect(await copy.cleanupLeftovers([ext4Volume], { name: 'copy', retries: 2, retryDelayMs: 5000, origin: 'x' }, 'nightly')).toEqual([]);
  });
});

describeWith('probe reasons', [linux(), root()], () => {
  it('btrfs: not on btrfs, not root, snapshot-dir outside the volume', async () => {
    const provider = await loadProvider('btrfs');
    expect(await provider.probe(ext4Volume, btrfs)).toEqual({ available: false, reason: '/srv is on ext4, not btrfs' });
    const dir = mkdtempSync(join(tmpdir(), 'stillpoint-probe-'));
    try {
      // Any folder's inode number will do: the check for a subvolume root comes after the fs type.
      const onBtrfs: VolumeInfo = { name: 'd', root: dir, fsType: 'btrfs', mountPoint: dir };
      const escape = await provider.probe(onBtrfs, { ...btrfs, snapshotDir: '../elsewhere' });
      expect(escape.available).toBe(false);
      const getuid = vi.spyOn(process, 'getuid').mockReturnValue(1000);
      try {
        expect(await provider.probe(onBtrfs, btrfs)).toEqual({ available: false, reason: 'btrfs needs root: creating and deleting snapshots needs CAP_SYS_ADMIN' });
      } finally {
        getuid.mockRestore();
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('fsfreeze: unknown mount point, unfreezable filesystem, not root', async () => {
    const provider = await loadProvider('fsfreeze');
    expect(await provider.probe({ name: 'x', root: '/x' }, fsfreeze)).toEqual({ available: false, reason: 'the mount point of /x is unknown' });
    const vfat = await provider.probe({ ...ext4Volume, fsType: 'vfat' }, fsfreeze);
    expect(!vfat.available && vfat.reason).toMatch(/^\/srv is vfat, which cannot be frozen \(freezable: ext3, ext4, xfs, btrfs/);
    expect(await provider.probe(ext4Volume, fsfreeze)).toEqual({ available: true });
    const getuid = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(await provider.probe(ext4Volume, fsfreeze)).toEqual({
        available: false,
        reason: 'fsfreeze needs root: freezing a filesystem (FIFREEZE) needs CAP_SYS_ADMIN',
      });
    } finally {
      getuid.mockRestore();
    }
  });
});
