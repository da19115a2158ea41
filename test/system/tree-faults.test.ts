// The tree target against real faults: a full filesystem, a target that cannot be written, a
// file with a bad block (btrfs checksum error = EIO), and a file the backup user may not
// open while the copy provider reads live files.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { TreeTarget } from '../../src/targets/tree/index.ts';
import { listSnapshots } from '../../src/targets/tree/layout.ts';
import { verifySnapshot } from '../../src/targets/tree/verify.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { recordingContext, sourceOf } from '../targets/tree/context.ts';
import { tempDir, writeTree } from '../targets/tree/fixture.ts';

function mountTmpfs(dir: string, size: string): { [Symbol.dispose](): void } {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'stillpoint-test', dir]);
  return { [Symbol.dispose]: () => execFileSync('umount', ['--lazy', dir]) };
}

const visible = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('lost+found'));

describeWith('tree target: full and unwritable targets', [linux(), root(), command('chattr')], () => {
  it('fails clearly on a full filesystem, removes the unfinished snapshot and keeps the earlier ones', async () => {
    using source = tempDir('src');
    using mount = tempDir('full');
    using _tmpfs = mountTmpfs(mount.path, '6m');
    const target = join(mount.path, 'backups');
    writeTree(source.path, { 'a.bin': Buffer.alloc(1024 * 1024, 1), 'b.txt': 'b' });
    const tree = new TreeTarget(target);
    const first = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-01T00:00:00Z') }));
    const second = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-02T00:00:00Z') }));
    writeFileSync(join(source.path, 'huge.bin'), Buffer.alloc(8 * 1024 * 1024, 2));

    await expect(tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-03T00:00:00Z') }))).rejects.toThrow(
      /no space left on its filesystem \(ENOSPC.*earlier snapshots are intact/,
    );
    expect(visible(target)).toEqual([first.snapshotId, second.snapshotId]);
    expect((await listSnapshots(target)).complete.map((s) => s.id)).toEqual([first.snapshotId, second.snapshotId]);
    for (const id of [first.snapshotId, second.snapshotId]) expect((await verifySnapshot(target, id)).problems).toEqual([]);
  });

  it('fails clearly when the target filesystem is read-only', async () => {
    using source = tempDir('src');
    using mount = tempDir('ro');
    using _tmpfs = mountTmpfs(mount.path, '4m');
    writeTree(source.path, { 'a.txt': 'a' });
    const tree = new TreeTarget(join(mount.path, 'backups'));
    const first = await tree.write([sourceOf(source.path)], recordingContext());
    execFileSync('mount', ['-o', 'remount,ro', mount.path]);
    await expect(tree.write([sourceOf(source.path)], recordingContext())).rejects.toThrow(/is not writable \(EROFS.*mounted read-write/);
    expect(visible(join(mount.path, 'backups'))).toEqual([first.snapshotId]);
  });

  it('fails clearly when the target folder is immutable (chattr +i; root ignores modes)', async () => {
    using source = tempDir('src');
    using target = tempDir('immutable');
    writeTree(source.path, { 'a.txt': 'a' });
    execFileSync('chattr', ['+i', target.path]);
    try {
      await expect(new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext())).rejects.toThrow(/is not writable \(EPERM.*chattr/);
    } finally {
      execFileSync('chattr', ['-i', target.path]);
    }
    expect(readdirSync(target.path)).toEqual([]);
  });
});

describeWith('tree target: a file with a bad block (btrfs checksum error)', [linux(), root(), command('mkfs.btrfs'), command('losetup')], () => {
  let fs: LoopFilesystem;
  const marker = Buffer.from('STILLPOINT-BAD-BLOCK-'.repeat(200));

  beforeAll(() => {
    fs = createLoopFilesystem('btrfs');
    writeFileSync(join(fs.mountPoint, 'good.txt'), 'fine');
    writeFileSync(join(fs.mountPoint, 'bad.bin'), Buffer.concat(Array.from({ length: 16 }, () => marker)));
    execFileSync('umount', [fs.mountPoint]);
    // Flip one byte of the file's data on the device; btrfs's data checksum then fails
    // every read of that block with EIO, as a bad sector would.
    const device = openSync(fs.device, 'r+');
    try {
      const chunk = Buffer.alloc(16 * 1024 * 1024);
      for (let offset = 0; ; offset += chunk.length - marker.length) {
        const n = readSync(device, chunk, 0, chunk.length, offset);
        const at = chunk.subarray(0, n).indexOf(marker);
        if (at >= 0) {
          writeSync(device, Buffer.from('#'), 0, 1, offset + at + 100);
          break;
        }
        if (n < chunk.length) throw new Error('the test file\'s data was not found on the device');
      }
    } finally {
      closeSync(device);
    }
    execFileSync('mount', [fs.device, fs.mountPoint]);
    expect(() => readFileSync(join(fs.mountPoint, 'bad.bin'))).toThrow(/EIO/);
  });
  afterAll(() => fs?.destroy());

  it('fails the write, naming the file, without ignore-read-errors', async () => {
    using target = tempDir('dst');
    await expect(new TreeTarget(target.path).write([sourceOf(fs.mountPoint)], recordingContext())).rejects.toThrow(
      new RegExp(`cannot read ${join(fs.mountPoint, 'bad.bin')} \\(EIO.*ignore-read-errors`),
    );
    expect(readdirSync(target.path)).toEqual([]);
  });

  it('skips it as unreadable and ends partial with ignore-read-errors', async () => {
    using target = tempDir('dst');
    const context = recordingContext({ ignoreReadErrors: true });
    const result = await new TreeTarget(target.path).write([sourceOf(fs.mountPoint)], context);
    expect(result).toMatchObject({ status: 'partial', skipped: 1 });
    expect(context.skippedFiles).toEqual([{ path: join(fs.mountPoint, 'bad.bin'), reason: 'unreadable', detail: expect.stringContaining('EIO') }]);
    const { complete } = await listSnapshots(target.path);
    expect(complete[0]!.summary).toMatchObject({ status: 'partial', skipped: 1 });
    const copied = join(target.path, result.snapshotId!, complete[0]!.summary.volumes[0]!.folder);
    expect(readFileSync(join(copied, 'good.txt'), 'utf8')).toBe('fine');
    expect(existsSync(join(copied, 'bad.bin'))).toBe(false);
  });
});

describeWith('tree target: live copy by an unprivileged user', [linux(), root()], () => {
  it('reports a file it may not open as locked after the retries, and ends partial', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, { 'open.txt': 'anyone', 'private.key': 'root only' });
    chmodSync(source.path, 0o755);
    chmodSync(join(source.path, 'open.txt'), 0o644);
    chmodSync(join(source.path, 'private.key'), 0o600);
    chownSync(target.path, 65534, 65534);
    // The copy runs as nobody in a child process: root can open any file, a backup user not.
    const child = spawn(process.execPath, [join(import.meta.dirname, '../targets/tree/write-child.ts'), target.path, source.path], {
      uid: 65534,
      gid: 65534,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { result, skipped } = JSON.parse(stdout);
    expect(result).toMatchObject({ status: 'partial', files: 1, skipped: 1 });
    expect(skipped).toEqual([{ path: join(source.path, 'private.key'), reason: 'locked', detail: expect.stringContaining('EACCES') }]);
  });
});
