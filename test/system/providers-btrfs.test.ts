// The btrfs provider on a real btrfs filesystem on a loop device: read-only snapshots through
// the kernel's ioctls, point-in-time content, release, and cleanup after a killed run.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { btrfsProvider } from '../../src/providers/btrfs.ts';
import { snapshotMarker } from '../../src/providers/markers.ts';
import { resolveVolume } from '../../src/providers/volume-info.ts';
import { copyExcludes } from '../../src/providers/index.ts';
import type { ProviderPlan } from '../../src/plan/types.ts';
import type { VolumeInfo } from '../../src/providers/provider.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { snapshotContext } from '../providers/support/context.ts';
import { startHolder } from '../providers/support/holder.ts';

const options: ProviderPlan = { name: 'btrfs', snapshotDir: '.stillpoint', origin: 'test.still:3:3' };

describeWith('btrfs provider on a loop device', [linux(), root(), command('mkfs.btrfs'), command('btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let ledger: VolumeInfo;
  let mail: VolumeInfo;

  beforeAll(async () => {
    fs = createLoopFilesystem('btrfs');
    for (const name of ['ledger', 'mail']) execFileSync('btrfs', ['subvolume', 'create', join(fs.mountPoint, name)], { stdio: 'ignore' });
    mkdirSync(join(fs.mountPoint, 'ledger', 'books'));
    ledger = await resolveVolume(join(fs.mountPoint, 'ledger'));
    mail = await resolveVolume(join(fs.mountPoint, 'mail'));
  });
  afterAll(() => fs?.destroy());

  it('resolves a subvolume to its filesystem, device and UUID', () => {
    expect(ledger).toMatchObject({ fsType: 'btrfs', device: fs.device, mountPoint: fs.mountPoint });
    expect(ledger.volumeId).toBe(execFileSync('blkid', ['-o', 'value', '-s', 'UUID', fs.device], { encoding: 'utf8' }).trim());
  });

  it('is available for a subvolume root and says why not for a folder inside one', async () => {
    expect(await btrfsProvider.probe(ledger, options)).toEqual({ available: true });
    const inside = await resolveVolume(join(fs.mountPoint, 'ledger', 'books'));
    const probe = await btrfsProvider.probe(inside, options);
    expect(probe.available).toBe(false);
    expect(!probe.available && probe.reason).toMatch(/not the root of one/);
  });

  it('snapshots two subvolumes in one set: read-only, point in time, released without a trace', async () => {
    writeFileSync(join(ledger.root, 'books', 'q3.txt'), 'before');
    writeFileSync(join(mail.root, 'inbox'), 'one message');
    const context = snapshotContext({ runId: 'run-1' });
    const set = await btrfsProvider.createSnapshotSet([ledger, mail], options, context);
    const marker = snapshotMarker('nightly', 'run-1');
    expect(set.snapshots.map((s) => s.snapshotPath)).toEqual([
      join(ledger.root, '.stillpoint', marker),
      join(mail.root, '.stillpoint', marker),
    ]);
    expect(set.snapshots[0]!.volumeId).toBe(ledger.volumeId);

    writeFileSync(join(ledger.root, 'books', 'q3.txt'), 'after');
    writeFileSync(join(mail.root, 'inbox'), 'two messages');
    writeFileSync(join(ledger.root, 'books', 'q4.txt'), 'new');

    const [ledgerSnapshot, mailSnapshot] = set.snapshots.map((s) => s.snapshotPath);
    expect(readFileSync(join(ledgerSnapshot!, 'books', 'q3.txt'), 'utf8')).toBe('before');
    expect(existsSync(join(ledgerSnapshot!, 'books', 'q4.txt'))).toBe(false);
    expect(readFileSync(join(mailSnapshot!, 'inbox'), 'utf8')).toBe('one message');
    expect(() => writeFileSync(join(ledgerSnapshot!, 'books', 'q3.txt'), 'x')).toThrow(/EROFS|read-only/);
    expect(execFileSync('btrfs', ['property', 'get', ledgerSnapshot!, 'ro'], { encoding: 'utf8' }).trim()).toBe('ro=true');
    // The snapshot dir shows up inside the snapshot (as an empty folder): the copy leaves it out.
    expect(readdirSync(ledgerSnapshot!)).toContain('.stillpoint');
    expect(copyExcludes(options)).toEqual(['.stillpoint', '.stillpoint/**']);

    await set.release();
    expect(existsSync(ledgerSnapshot!)).toBe(false);
    expect(existsSync(join(ledger.root, '.stillpoint'))).toBe(false);
    expect(existsSync(mailSnapshot!)).toBe(false);
    await set.release();
  });

  it('takes nothing when one subvolume of the set cannot be snapshotted', async () => {
    const notASubvolume: VolumeInfo = { ...ledger, name: 'ghost', root: join(fs.mountPoint, 'ledger', 'books') };
    await expect(btrfsProvider.createSnapshotSet([mail, notASubvolume], options, snapshotContext({ runId: 'run-2' }))).rejects.toThrow(
      /BTRFS_IOC_SNAP_CREATE_V2/,
    );
    expect(existsSync(join(mail.root, '.stillpoint'))).toBe(false);
  });

  it('cleans up the snapshots of a killed run of its job, and only of its job', async () => {
    const runs = [
      { job: 'nightly', runId: 'killed-run' },
      { job: 'nightly-db', runId: 'other-job' },
    ];
    for (const run of runs) {
      const holder = startHolder({ provider: 'btrfs', volumes: [ledger], options, ...run, freezeTimeoutMs: 10_000, during: 'wait' });
      try {
        await holder.waitFor('created');
      } finally {
        await holder.kill();
      }
    }
    const left = join(ledger.root, '.stillpoint', snapshotMarker('nightly', 'killed-run'));
    const otherJob = join(ledger.root, '.stillpoint', snapshotMarker('nightly-db', 'other-job'));
    expect(existsSync(left)).toBe(true);

    expect(await btrfsProvider.cleanupLeftovers([ledger], options, 'nightly')).toEqual([left]);
    expect(existsSync(left)).toBe(false);
    expect(existsSync(otherJob)).toBe(true);
    expect(await btrfsProvider.cleanupLeftovers([ledger], options, 'nightly')).toEqual([]);
    expect(await btrfsProvider.cleanupLeftovers([ledger], options, 'nightly-db')).toEqual([otherJob]);
  });
});
