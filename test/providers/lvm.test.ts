// STAND-INS, NOT LVM: this machine has no device-mapper, so lvs, lvcreate, lvremove, mount and
// umount here are the recording stand-ins of test/fixtures/bin, first on PATH. They log their
// argv and emulate the real tools' output on plain folders. What this proves: the exact command
// lines the lvm provider runs, in order, and how it handles the tools' answers. What it does not
// prove: that a real LVM snapshot behaves as described; that needs a machine with lvm2.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { describeWith, linux } from '../support/requirements.ts';
import { createLvmProvider } from '../../src/providers/lvm.ts';
import { snapshotMarker } from '../../src/providers/markers.ts';
import type { ProviderPlan } from '../../src/plan/types.ts';
import type { VolumeInfo } from '../../src/providers/provider.ts';
import { snapshotContext } from './support/context.ts';
import { useStandins } from './support/standins.ts';

describeWith('lvm provider against recording stand-ins of the lvm2 tools', [linux()], () => {
  const standins = useStandins();
  const dataSnapshot = snapshotMarker('nightly', 'run-1', 'vg0/data');
  const thinSnapshot = snapshotMarker('nightly', 'run-1', 'vg0/thin');

  /** Two logical volumes: vg0/data (plain, XFS, holding two volumes) and vg0/thin (thin, ext4). */
  function setUp() {
    const data = join(standins.dir, 'data');
    const thin = join(standins.dir, 'thin');
    mkdirSync(join(data, 'ledger'), { recursive: true });
    mkdirSync(join(data, 'mail'));
    mkdirSync(thin);
    writeFileSync(join(data, 'ledger', 'q3.txt'), 'before');
    writeFileSync(join(thin, 'notes'), 'thin before');
    standins.setState({
      lvs: [
        { device: '/dev/mapper/vg0-data', vg: 'vg0', lv: 'data', attr: '-wi-ao----', dir: data },
        { device: '/dev/mapper/vg0-thin', vg: 'vg0', lv: 'thin', attr: 'Vwi-aotz--', dir: thin },
      ],
    });
    const onData = { fsType: 'xfs', device: '/dev/mapper/vg0-data', mountPoint: '/srv/data' };
    const volumes: VolumeInfo[] = [
      { name: 'ledger', root: '/srv/data/ledger', volumeId: 'uuid-data', ...onData },
      { name: 'mail', root: '/srv/data/mail', volumeId: 'uuid-data', ...onData },
      { name: 'thin', root: '/srv/thin', fsType: 'ext4', device: '/dev/mapper/vg0-thin', mountPoint: '/srv/thin', volumeId: 'uuid-thin' },
    ];
    return { data, thin, volumes, mountBase: join(standins.dir, 'run') };
  }

  it('snapshots each logical volume once, mounts it read-only, and reads the point-in-time data', async () => {
    const { data, volumes, mountBase } = setUp();
    const provider = createLvmProvider(mountBase);
    const options: ProviderPlan = { name: 'lvm', size: { percent: 20 }, origin: 'x' };
    const set = await provider.createSnapshotSet(volumes, options, snapshotContext({ runId: 'run-1' }));

    const lvs = ['lvs', '--noheadings', '--separator', ',', '--options', 'vg_name,lv_name,lv_attr'];
    expect(standins.calls()).toEqual([
      [...lvs, '/dev/mapper/vg0-data'],
      [...lvs, '/dev/mapper/vg0-thin'],
      ['lvcreate', '--snapshot', '--name', dataSnapshot, '--extents', '20%ORIGIN', 'vg0/data'],
      ['lvcreate', '--snapshot', '--name', thinSnapshot, '--setactivationskip', 'n', 'vg0/thin'],
      ['mount', '-o', 'ro,nouuid', `/dev/vg0/${dataSnapshot}`, join(mountBase, dataSnapshot)],
      ['mount', '-o', 'ro', `/dev/vg0/${thinSnapshot}`, join(mountBase, thinSnapshot)],
    ]);
    expect(dataSnapshot).toBe('stillpoint-nightly.run-1.vg0_2fdata');
    expect(set.snapshots).toEqual([
      { volume: 'ledger', volumeId: 'uuid-data', snapshotPath: join(mountBase, dataSnapshot, 'ledger') },
      { volume: 'mail', volumeId: 'uuid-data', snapshotPath: join(mountBase, dataSnapshot, 'mail') },
      { volume: 'thin', volumeId: 'uuid-thin', snapshotPath: join(mountBase, thinSnapshot) },
    ]);
    writeFileSync(join(data, 'ledger', 'q3.txt'), 'after');
    expect(readFileSync(join(set.snapshots[0]!.snapshotPath, 'q3.txt'), 'utf8')).toBe('before');

    standins.clearCalls();
    await set.release();
    await set.release();
    expect(standins.calls()).toEqual([
      ['umount', join(mountBase, dataSnapshot)],
      ['umount', join(mountBase, thinSnapshot)],
      ['lvremove', '--yes', `vg0/${dataSnapshot}`],
      ['lvremove', '--yes', `vg0/${thinSnapshot}`],
    ]);
    expect(standins.state().lvs!.map((lv) => lv.lv)).toEqual(['data', 'thin']);
    expect(existsSync(join(mountBase, dataSnapshot))).toBe(false);
  });

  it('sizes a classic snapshot in bytes when the script gives a size', async () => {
    const { volumes, mountBase } = setUp();
    const set = await createLvmProvider(mountBase).createSnapshotSet([volumes[0]!], { name: 'lvm', size: { bytes: 5 * 1024 ** 3 }, origin: 'x' }, snapshotContext({ runId: 'run-1' }));
    expect(standins.calls()).toContainEqual(['lvcreate', '--snapshot', '--name', dataSnapshot, '--size', '5368709120b', 'vg0/data']);
    await set.release();
  });

  it('removes what it created when a later step fails', async () => {
    const { volumes, mountBase } = setUp();
    const ghost: VolumeInfo = { name: 'ghost', root: '/srv/ghost', device: '/dev/loop7', mountPoint: '/srv/ghost', fsType: 'ext4' };
    const provider = createLvmProvider(mountBase);
    // The second lookup fails: nothing was created yet, nothing is left.
    await expect(provider.createSnapshotSet([volumes[0]!, ghost], { name: 'lvm', size: { percent: 10 }, origin: 'x' }, snapshotContext())).rejects.toThrow(
      /"\/dev\/loop7": Invalid path for Logical Volume/,
    );
    // The second snapshot's name is taken: the first one made is removed again.
    const state = standins.state();
    standins.setState({ ...state, lvs: [...state.lvs!, { device: `/dev/vg0/${dataSnapshot}`, vg: 'vg0', lv: dataSnapshot, attr: 'swi-a-s---', dir: standins.dir }] });
    await expect(
      provider.createSnapshotSet([volumes[2]!, volumes[0]!], { name: 'lvm', size: { percent: 10 }, origin: 'x' }, snapshotContext({ runId: 'run-1' })),
    ).rejects.toThrow(/already exists/);
    expect(standins.calls().filter((call) => call[0] === 'lvremove')).toEqual([['lvremove', '--yes', `vg0/${thinSnapshot}`]]);
  });

  it('probes: available for a logical volume; says why not for other devices, missing tools, non-root', async () => {
    const { volumes, mountBase } = setUp();
    const provider = createLvmProvider(mountBase);
    const options: ProviderPlan = { name: 'lvm', size: { percent: 10 }, origin: 'x' };
    expect(await provider.probe(volumes[0]!, options)).toEqual({ available: true });
    const loop = await provider.probe({ name: 'l', root: '/mnt/l', device: '/dev/loop3', mountPoint: '/mnt/l', fsType: 'ext4' }, options);
    expect(loop).toEqual({ available: false, reason: '/dev/loop3 (holding /mnt/l) is not an LVM logical volume' });
    const tmpfs = await provider.probe({ name: 't', root: '/dev/shm', fsType: 'tmpfs', mountPoint: '/dev/shm' }, options);
    expect(tmpfs).toEqual({ available: false, reason: 'the block device behind /dev/shm is unknown' });

    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await provider.probe(volumes[0]!, options)).toMatchObject({ available: false, reason: expect.stringMatching(/lvm2 tools .* not on PATH/) });
    } finally {
      process.env.PATH = path;
    }
    const getuid = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(await provider.probe(volumes[0]!, options)).toEqual({ available: false, reason: 'lvm needs root: lvcreate and mount need root' });
    } finally {
      getuid.mockRestore();
    }
  });

  it('cleans up the snapshots a killed run of its job left, mounted or not, and only those', async () => {
    const { volumes, mountBase } = setUp();
    const provider = createLvmProvider(mountBase);
    const options: ProviderPlan = { name: 'lvm', size: { percent: 10 }, origin: 'x' };
    await provider.createSnapshotSet([volumes[0]!], options, snapshotContext({ runId: 'killed' }));
    await provider.createSnapshotSet([volumes[0]!], options, snapshotContext({ job: 'nightly-db', runId: 'other' }));
    const killed = snapshotMarker('nightly', 'killed', 'vg0/data');
    standins.clearCalls();

    expect(await provider.cleanupLeftovers(volumes, options, 'nightly')).toEqual([`vg0/${killed}`]);
    expect(standins.calls()).toEqual([
      ['lvs', '--noheadings', '--separator', ',', '--options', 'vg_name,lv_name'],
      ['umount', join(mountBase, killed)],
      ['lvremove', '--yes', `vg0/${killed}`],
    ]);
    expect(existsSync(join(mountBase, killed))).toBe(false);
    expect(standins.state().lvs!.map((lv) => lv.lv)).toEqual(['data', 'thin', snapshotMarker('nightly-db', 'other', 'vg0/data')]);
    expect(await provider.cleanupLeftovers(volumes, options, 'nightly')).toEqual([]);
  });
});
