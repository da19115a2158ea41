import { lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { comparePaths, listSnapshots } from '../../../src/targets/tree/layout.ts';
import { recordingContext, sourceOf } from './context.ts';
import { readManifestFile, sha256, tempDir, writeTree } from './fixture.ts';

const SOURCE_FILES = {
  'docs/readme.txt': 'hello\n',
  'docs/notes/a.md': '# a\n',
  'data/big.bin': Buffer.alloc(3 * 1024 * 1024 + 17, 7),
  'data/empty': '',
  'top.txt': 'top',
};

function snapshotDirs(target: string): string[] {
  return readdirSync(target).filter((n) => !n.startsWith('.')).sort();
}

describe('tree target write', () => {
  it('reports progress without counts before the scan starts, and ends with the copy\'s own counts as totals', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, SOURCE_FILES);
    const context = recordingContext();
    const result = await new TreeTarget(target.path).write([sourceOf(source.path)], context);
    const bytes = Object.values(SOURCE_FILES).reduce((sum, content) => sum + Buffer.from(content).length, 0);
    expect(context.progressed.at(-1)).toEqual({ bytesDone: bytes, filesDone: result.files, totalBytes: bytes, totalFiles: 5 });
    // A copy this short ends before its scan starts: its progress says what is done, and no
    // "counting: 0 files" as if a scan were counting.
    expect(context.progressed.length).toBeGreaterThan(1);
    for (const p of context.progressed.slice(0, -1)) expect(Object.keys(p).sort()).toEqual(['bytesDone', 'filesDone']);
  });

  it('after a previous snapshot, estimates the totals from the start: the files the walk has come to and those the previous snapshot has beyond them', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    const files = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`d${i % 12}/f${i}`, 'x'.repeat(i % 50)]));
    writeTree(source.path, files);
    const tree = new TreeTarget(target.path);
    const first = recordingContext();
    await tree.write([sourceOf(source.path)], first);
    // A first backup has nothing to estimate from.
    expect(first.progressed.some((p) => p.estimatedFiles !== undefined)).toBe(false);
    const bytes = Object.values(files).reduce((sum, content) => sum + content.length, 0);
    const unchanged = recordingContext();
    await tree.write([sourceOf(source.path)], unchanged);
    const estimated = unchanged.progressed.filter((p) => p.estimatedFiles !== undefined);
    expect(estimated.length).toBeGreaterThan(0);
    // Nothing changed: the estimate is the total all along.
    for (const p of estimated) expect(p).toMatchObject({ estimatedFiles: 600, estimatedBytes: bytes });
    // Files added where the walk has not been yet are not in it until the walk comes to them.
    writeTree(source.path, { 'd9/new1': 'a', 'd9/new2': 'bb' });
    const added = recordingContext();
    await tree.write([sourceOf(source.path)], added);
    const estimates = added.progressed.filter((p) => p.estimatedFiles !== undefined).map((p) => p.estimatedFiles);
    expect(estimates[0]).toBe(600);
    expect(added.progressed.at(-1)).toMatchObject({ totalFiles: 602 });
    expect(added.progressed.at(-1)!.estimatedFiles).toBeUndefined();
  });

  it('copies files, symlinks, modes and nanosecond mtimes, and records SHA-256 in a sorted manifest', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, SOURCE_FILES);
    symlinkSync('../top.txt', join(source.path, 'docs', 'link-to-top'));
    symlinkSync('/nonexistent/dangling', join(source.path, 'dangling'));
    chmodSync(join(source.path, 'top.txt'), 0o640);
    chmodSync(join(source.path, 'docs', 'notes'), 0o750);
    utimesSync(join(source.path, 'docs'), 1_600_000_000.123456, 1_600_000_000.123456);

    const result = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());

    expect(result.status).toBe('succeeded');
    expect(result.files).toBe(5);
    const snapshot = join(target.path, result.snapshotId!);
    expect(result.snapshotId).toMatch(/^\d{4}-\d\d-\d\dT\d{6}Z$/);
    const { complete } = await listSnapshots(target.path);
    const folder = complete[0]!.summary.volumes[0]!.folder;
    const copied = join(snapshot, folder);
    for (const [rel, content] of Object.entries(SOURCE_FILES)) {
      expect(readFileSync(join(copied, rel)).equals(Buffer.from(content))).toBe(true);
    }
    expect(lstatSync(join(copied, 'docs', 'link-to-top')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(copied, 'docs', 'link-to-top'))).toBe('../top.txt');
    expect(readlinkSync(join(copied, 'dangling'))).toBe('/nonexistent/dangling');
    expect(statSync(join(copied, 'top.txt')).mode & 0o7777).toBe(0o640);
    expect(statSync(join(copied, 'docs', 'notes')).mode & 0o7777).toBe(0o750);
    for (const rel of ['data/big.bin', 'docs', 'docs/notes', 'top.txt']) {
      // Folders too: their mtime is set after their contents were written.
      expect(lstatSync(join(copied, rel), { bigint: true }).mtimeNs).toBe(lstatSync(join(source.path, rel), { bigint: true }).mtimeNs);
    }

    const manifest = readManifestFile(snapshot);
    const paths = manifest.map((e) => e.path);
    expect([...paths].sort(comparePaths)).toEqual(paths);
    const big = manifest.find((e) => e.path === `${folder}/data/big.bin`)!;
    expect(big).toMatchObject({ type: 'file', size: SOURCE_FILES['data/big.bin'].length, sha256: sha256(SOURCE_FILES['data/big.bin']) });
    expect(manifest.find((e) => e.path === `${folder}/docs/link-to-top`)).toMatchObject({ type: 'symlink', target: '../top.txt' });
  });

  it('hard-links unchanged files to the previous snapshot and copies changed ones', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, SOURCE_FILES);
    const tree = new TreeTarget(target.path);
    const first = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-01T00:00:00Z') }));
    writeFileSync(join(source.path, 'docs', 'readme.txt'), 'changed, and longer\n');
    chmodSync(join(source.path, 'top.txt'), 0o600); // same content, other mode: must not share the inode
    const second = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-02T00:00:00Z') }));

    expect(second.details).toMatchObject({ linked: 3, copied: 2, previous: first.snapshotId });
    const { complete } = await listSnapshots(target.path);
    const folder = complete[0]!.summary.volumes[0]!.folder;
    const inode = (snap: string, rel: string) => statSync(join(target.path, snap, folder, rel)).ino;
    expect(inode(first.snapshotId!, 'data/big.bin')).toBe(inode(second.snapshotId!, 'data/big.bin'));
    expect(inode(first.snapshotId!, 'docs/readme.txt')).not.toBe(inode(second.snapshotId!, 'docs/readme.txt'));
    expect(inode(first.snapshotId!, 'top.txt')).not.toBe(inode(second.snapshotId!, 'top.txt'));
    expect(readFileSync(join(target.path, first.snapshotId!, folder, 'docs/readme.txt'), 'utf8')).toBe('hello\n');
    const manifest = readManifestFile(join(target.path, second.snapshotId!));
    expect(manifest.find((e) => e.path === `${folder}/data/big.bin`)!.sha256).toBe(sha256(SOURCE_FILES['data/big.bin']));
    expect(manifest.find((e) => e.path === `${folder}/docs/readme.txt`)!.sha256).toBe(sha256('changed, and longer\n'));
  });

  it('gives runs in the same second distinct names that sort in run order', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, { a: '1' });
    const tree = new TreeTarget(target.path);
    const started = new Date('2026-03-04T05:06:07.890Z');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await tree.write([sourceOf(source.path)], recordingContext({ started }))).snapshotId);
    expect(ids).toEqual(['2026-03-04T050607Z', '2026-03-04T050607Z-01', '2026-03-04T050607Z-02']);
    expect(snapshotDirs(target.path)).toEqual(ids);
  });

  it('keeps extended attributes', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, { 'f.txt': 'x' });
    execFileSync('setfattr', ['-n', 'user.stillpoint', '-v', 'kept', join(source.path, 'f.txt')]);
    const result = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    const { complete } = await listSnapshots(target.path);
    const copy = join(target.path, result.snapshotId!, complete[0]!.summary.volumes[0]!.folder, 'f.txt');
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.stillpoint', copy], { encoding: 'utf8' })).toBe('kept');
  });

  it('leaves nothing listed when a run is interrupted, and the next run removes its remains', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, SOURCE_FILES);
    const tree = new TreeTarget(target.path);
    const controller = new AbortController();
    let calls = 0;
    const context = recordingContext({
      signal: controller.signal,
      progress: () => {
        if (++calls === 1) controller.abort();
      },
    });
    // A killed run leaves its hidden folder; simulate the kill with an owner that is gone.
    mkdirSync(join(target.path, '.partial-2020-01-01T000000Z'));
    writeFileSync(join(target.path, '.partial-2020-01-01T000000Z', '.stillpoint-owner.json'), JSON.stringify({ pid: 2 ** 22 + 1, hostname: (await import('node:os')).hostname() }));
    writeTree(source.path, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`many/f${i}`, `${i}`])));
    await expect(tree.write([sourceOf(source.path)], context)).rejects.toThrow(/cancelled/);
    expect((await listSnapshots(target.path)).complete).toEqual([]);
    expect(readdirSync(target.path)).toEqual([]); // its own folder removed, the stale one too
    const done = await tree.write([sourceOf(source.path)], recordingContext());
    expect(snapshotDirs(target.path)).toEqual([done.snapshotId]);
  });

});

describe('tree target write after damage', () => {
  it('copies everything, with a warning, when the previous manifest is damaged', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, SOURCE_FILES);
    const tree = new TreeTarget(target.path);
    const first = await tree.write([sourceOf(source.path)], recordingContext({ started: new Date('2026-01-01T00:00:00Z') }));
    const manifestPath = join(target.path, first.snapshotId!, 'manifest.ndjson');
    const lines = readFileSync(manifestPath, 'utf8').split('\n');
    writeFileSync(manifestPath, [lines[0], '{"path": broken', ...lines.slice(1)].join('\n'));
    const context = recordingContext({ started: new Date('2026-01-02T00:00:00Z') });
    const second = await tree.write([sourceOf(source.path)], context);
    expect(second).toMatchObject({ status: 'succeeded', files: 5, details: { linked: 0, copied: 5 } });
    expect(context.warnings).toEqual([expect.stringContaining(`the manifest of the previous snapshot ${first.snapshotId}`)]);
  });
});
