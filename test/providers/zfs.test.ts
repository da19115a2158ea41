// STAND-INS, NOT ZFS: this machine has no ZFS, so `zfs` here is the recording stand-in of
// test/fixtures/bin, first on PATH. It logs its argv and emulates zfs on plain folders: a
// snapshot is a real copy at <mountpoint>/.zfs/snapshot/<name>, so the provider's readable paths
// can be read. What this proves: the exact command lines, the grouping of datasets by pool, the
// readable paths and the cleanup; not that a real ZFS behaves as described.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith, linux } from '../support/requirements.ts';
import { zfsProvider } from '../../src/providers/zfs.ts';
import { snapshotMarker } from '../../src/providers/markers.ts';
import type { ProviderPlan } from '../../src/plan/types.ts';
import type { VolumeInfo } from '../../src/providers/provider.ts';
import { snapshotContext } from './support/context.ts';
import { useStandins } from './support/standins.ts';

const options: ProviderPlan = { name: 'zfs', origin: 'x' };

describeWith('zfs provider against a recording stand-in of zfs', [linux()], () => {
  const standins = useStandins();
  const marker = snapshotMarker('nightly', 'run-1');

  /** tank/data (with a volume at its root and one inside), tank/mail, and backup/archive. */
  function setUp(): VolumeInfo[] {
    const mounts = { 'tank/data': 'data', 'tank/mail': 'mail', 'backup/archive': 'archive' };
    const datasets: Record<string, string> = {};
    for (const [dataset, folder] of Object.entries(mounts)) {
      datasets[dataset] = join(standins.dir, folder);
      mkdirSync(join(standins.dir, folder, 'inner'), { recursive: true });
      writeFileSync(join(standins.dir, folder, 'inner', 'file'), `${dataset} before`);
    }
    standins.setState({ datasets });
    const volume = (name: string, dataset: string, inside = ''): VolumeInfo => ({
      name,
      root: join(datasets[dataset]!, inside),
      fsType: 'zfs',
      device: dataset,
      mountPoint: datasets[dataset],
    });
    return [volume('data', 'tank/data'), volume('inner', 'tank/data', 'inner'), volume('mail', 'tank/mail'), volume('archive', 'backup/archive')];
  }

  it('snapshots the datasets of one pool with one command, and reads them through .zfs/snapshot', async () => {
    const volumes = setUp();
    const set = await zfsProvider.createSnapshotSet(volumes, options, snapshotContext({ runId: 'run-1' }));
    expect(standins.calls()).toEqual([
      ['zfs', 'snapshot', `tank/data@${marker}`, `tank/mail@${marker}`],
      ['zfs', 'snapshot', `backup/archive@${marker}`],
    ]);
    const dataSnapshot = join(volumes[0]!.root, '.zfs', 'snapshot', marker);
    expect(set.snapshots.map((s) => s.snapshotPath)).toEqual([
      dataSnapshot,
      join(dataSnapshot, 'inner'),
      join(volumes[2]!.root, '.zfs', 'snapshot', marker),
      join(volumes[3]!.root, '.zfs', 'snapshot', marker),
    ]);
    writeFileSync(join(volumes[1]!.root, 'file'), 'after');
    expect(readFileSync(join(set.snapshots[1]!.snapshotPath, 'file'), 'utf8')).toBe('tank/data before');

    standins.clearCalls();
    await set.release();
    await set.release();
    expect(standins.calls()).toEqual([
      ['zfs', 'destroy', `tank/data@${marker}`],
      ['zfs', 'destroy', `tank/mail@${marker}`],
      ['zfs', 'destroy', `backup/archive@${marker}`],
    ]);
    expect(existsSync(dataSnapshot)).toBe(false);
  });

  it('destroys the snapshots of the first pool when the second pool fails', async () => {
    const volumes = setUp();
    const missing: VolumeInfo = { ...volumes[3]!, device: 'gone/archive' };
    await expect(zfsProvider.createSnapshotSet([volumes[0]!, missing], options, snapshotContext({ runId: 'run-1' }))).rejects.toThrow(
      /`zfs snapshot gone\/archive@.*` failed \(exit 1\): cannot open 'gone\/archive': dataset does not exist/,
    );
    expect(standins.calls().at(-1)).toEqual(['zfs', 'destroy', `tank/data@${marker}`]);
    expect(standins.state().snapshots).toEqual([]);
  });

  it('probes: available on a dataset; says why not elsewhere and without the zfs command', async () => {
    const volumes = setUp();
    expect(await zfsProvider.probe(volumes[0]!, options)).toEqual({ available: true });
    expect(await zfsProvider.probe({ name: 'h', root: '/home', fsType: 'ext4', device: '/dev/vda', mountPoint: '/' }, options)).toEqual({
      available: false,
      reason: '/home is on ext4, not ZFS',
    });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await zfsProvider.probe(volumes[0]!, options)).toEqual({
        available: false,
        reason: 'the zfs command is not on PATH: install the ZFS utilities (zfsutils-linux)',
      });
    } finally {
      process.env.PATH = path;
    }
  });

  it('cleans up the snapshots a killed run of its job left, and only those', async () => {
    const volumes = setUp();
    await zfsProvider.createSnapshotSet(volumes.slice(0, 3), options, snapshotContext({ runId: 'killed' }));
    await zfsProvider.createSnapshotSet([volumes[0]!], options, snapshotContext({ job: 'nightly-db', runId: 'other' }));
    const killed = snapshotMarker('nightly', 'killed');
    standins.clearCalls();
    expect(await zfsProvider.cleanupLeftovers(volumes, options, 'nightly')).toEqual([`tank/data@${killed}`, `tank/mail@${killed}`]);
    expect(standins.calls()).toEqual([
      ['zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', '-d', '1', 'tank/data'],
      ['zfs', 'destroy', `tank/data@${killed}`],
      ['zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', '-d', '1', 'tank/mail'],
      ['zfs', 'destroy', `tank/mail@${killed}`],
      ['zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', '-d', '1', 'backup/archive'],
    ]);
    expect(standins.state().snapshots).toEqual([`tank/data@${snapshotMarker('nightly-db', 'other')}`]);
  });
});
