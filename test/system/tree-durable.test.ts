// A snapshot that looks complete must be on the disk, not only in the page cache: a power
// cut after the tree target published a snapshot must not leave it with empty or missing
// files. The target filesystem is XFS on a loop device; what has reached the "disk" is what
// the loop device wrote into its image file. Linux writes dirty pages back after 30 s
// (vm.dirty_expire_centisecs), so a file found in the image right after the write returns
// was flushed by the target itself.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { TreeTarget } from '../../src/targets/tree/index.ts';
import { listSnapshots } from '../../src/targets/tree/layout.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { recordingContext, sourceOf } from '../targets/tree/context.ts';
import { tempDir, writeTree } from '../targets/tree/fixture.ts';

describeWith('tree target: durability', [linux(), root(), command('mkfs.xfs', 'install xfsprogs'), command('mkfs.ext4', 'install e2fsprogs')], () => {
  let target: LoopFilesystem;
  beforeAll(() => {
    target = createLoopFilesystem('xfs', 320);
  });
  afterAll(() => target?.destroy());

  it('has every copied byte on the disk by the time the snapshot is published', async () => {
    using source = tempDir('durable');
    // Random content: found in the image only if this file's data was written there.
    const contents = [randomBytes(64 * 1024), randomBytes(3 * 1024 * 1024)];
    writeTree(source.path, { 'small.bin': contents[0]!, 'deep/large.bin': contents[1]! });
    const result = await new TreeTarget(join(target.mountPoint, 'backups')).write([sourceOf(source.path)], recordingContext());
    expect(result.snapshotId).toMatch(/^\d{4}-/);
    const image = readFileSync(target.image);
    for (const content of contents) expect(image.indexOf(content.subarray(0, 4096))).toBeGreaterThanOrEqual(0);
  });

  it('publishes nothing when the disk fails to write the copied files, and says so', async () => {
    // A disk that fails on write-back: ext4 on a loop device whose 320 MiB image lives on a
    // 48 MiB tmpfs. Writing succeeds into the page cache; write-back fails once the tmpfs is full.
    using disk = createLoopFilesystem('ext4', 320, { backingMiB: 48 });
    using source = tempDir('durable-src');
    const tree = new TreeTarget(join(disk.mountPoint, 'backups'));
    writeTree(source.path, { 'small.txt': 'fits' });
    const first = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-01T00:00:00Z') }));
    writeTree(source.path, { 'large.bin': randomBytes(64 * 1024 * 1024) });
    await expect(tree.write([sourceOf(source.path)], recordingContext())).rejects.toThrow(
      /could not be written to the target's disk \(\w+: .*syncfs.*check the disk.*earlier snapshots are intact/,
    );
    // Its hidden .partial- folder may stay when the failing disk cannot even delete it; it is
    // never listed, and the next run removes it.
    const backups = join(disk.mountPoint, 'backups');
    expect(readdirSync(backups).filter((name) => !name.startsWith('.'))).toEqual([first.snapshotId]);
    expect((await listSnapshots(backups)).complete.map((s) => s.id)).toEqual([first.snapshotId]);
  });
});
