// What only root can set up: ownership, set-id bits, device nodes, trusted.* xattrs, and a
// mount inside a volume (one-file-system). Backed up, restored, compared.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { TreeTarget } from '../../src/targets/tree/index.ts';
import { listSnapshots } from '../../src/targets/tree/layout.ts';
import { restoreSnapshot } from '../../src/targets/tree/restore.ts';
import { recordingContext, sourceOf } from '../targets/tree/context.ts';
import { tempDir, writeTree } from '../targets/tree/fixture.ts';

describeWith('tree target keeps what root can set', [linux(), root(), command('setfattr'), command('mknod')], () => {
  it('keeps owners, set-id bits, FIFOs, device nodes and trusted xattrs through backup and restore', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    using to = tempDir('to');
    writeTree(source.path, { 'owned.txt': 'x', 'setuid-tool': '#!/bin/sh\n', 'dir/inner': 'y' });
    chownSync(join(source.path, 'owned.txt'), 1234, 5678);
    chownSync(join(source.path, 'dir'), 4321, 8765);
    chmodSync(join(source.path, 'setuid-tool'), 0o4755);
    execFileSync('mkfifo', [join(source.path, 'pipe')]);
    execFileSync('mknod', [join(source.path, 'null-device'), 'c', '1', '3']);
    execFileSync('setfattr', ['-n', 'trusted.stillpoint', '-v', 'root-only', join(source.path, 'owned.txt')]);

    const result = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    const report = await restoreSnapshot(target.path, { to: to.path, paths: [] });
    expect(report.mismatches).toEqual([]);
    const folder = (await listSnapshots(target.path)).complete[0]!.summary.volumes[0]!.folder;

    for (const base of [join(target.path, result.snapshotId!, folder), join(to.path, folder)]) {
      const owned = lstatSync(join(base, 'owned.txt'));
      expect([owned.uid, owned.gid]).toEqual([1234, 5678]);
      expect([lstatSync(join(base, 'dir')).uid, lstatSync(join(base, 'dir')).gid]).toEqual([4321, 8765]);
      expect(lstatSync(join(base, 'setuid-tool')).mode & 0o7777).toBe(0o4755);
      expect(lstatSync(join(base, 'pipe')).isFIFO()).toBe(true);
      const device = lstatSync(join(base, 'null-device'));
      expect(device.isCharacterDevice() && device.rdev).toBe(lstatSync('/dev/null').rdev);
      expect(execFileSync('getfattr', ['--only-values', '-n', 'trusted.stillpoint', join(base, 'owned.txt')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('root-only');
    }
  });

  describe('one-file-system', () => {
    it('keeps a mount point inside the volume as an empty folder, or crosses it when off', async () => {
      using source = tempDir('src');
      using target = tempDir('dst');
      writeTree(source.path, { 'here.txt': 'h' });
      mkdirSync(join(source.path, 'mnt'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'stillpoint-test', join(source.path, 'mnt')]);
      try {
        writeFileSync(join(source.path, 'mnt', 'elsewhere.txt'), 'e');
        const tree = new TreeTarget(target.path);
        const kept = await tree.write([sourceOf(source.path, { oneFileSystem: true })], recordingContext({ started: new Date('2026-01-01T00:00:00Z') }));
        const crossed = await tree.write([sourceOf(source.path, { oneFileSystem: false })], recordingContext({ started: new Date('2026-01-02T00:00:00Z') }));
        const folder = (await listSnapshots(target.path)).complete[0]!.summary.volumes[0]!.folder;
        expect(readdirSync(join(target.path, kept.snapshotId!, folder, 'mnt'))).toEqual([]);
        expect(existsSync(join(target.path, crossed.snapshotId!, folder, 'mnt', 'elsewhere.txt'))).toBe(true);
      } finally {
        execFileSync('umount', ['--lazy', join(source.path, 'mnt')]);
      }
    });
  });
});
