import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { recordingContext, sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

const BIN = join(import.meta.dirname, '../../../bin/stillpoint.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function backedUp(files: Record<string, string>, prepare: (source: string) => void = () => {}) {
  const source = tempDir('src');
  const target = tempDir('dst');
  writeTree(source.path, files);
  prepare(source.path);
  const result = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
  const summary = JSON.parse(readFileSync(join(target.path, result.snapshotId!, 'snapshot.json'), 'utf8'));
  const folder: string = summary.volumes[0].folder;
  return {
    source,
    target,
    id: result.snapshotId!,
    folder,
    stored: (rel: string) => join(target.path, result.snapshotId!, folder, rel),
    [Symbol.dispose]() {
      source[Symbol.dispose]();
      target[Symbol.dispose]();
    },
  };
}

/** A snapshot folder whose manifest is written by hand (a damaged or hostile one). */
function craftedSnapshot(target: string, manifest: object[]): void {
  const dir = join(target, '2026-01-01T000000Z');
  mkdirSync(join(dir, 'vol'), { recursive: true });
  writeFileSync(join(dir, 'vol', 'x'), 'x');
  writeFileSync(join(dir, 'manifest.ndjson'), manifest.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ format: 'stillpoint-tree', version: 1, status: 'succeeded', files: 1, bytes: 1, linked: 0, skipped: 0, volumes: [{ volume: '/v', root: '/v', folder: 'vol' }] }));
}

const FILE = { type: 'file', size: 1, mode: 0o644, uid: 0, gid: 0, mtime: '0', sha256: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881' };

describe('list, restore and verify', () => {
  it('restores a snapshot byte for byte with modes, mtimes and symlinks, and lists it', async () => {
    using b = await backedUp({ 'a/one.txt': 'one', 'a/b/two.txt': 'two', 'three': '3' }, (source) => {
      chmodSync(join(source, 'three'), 0o600);
      chmodSync(join(source, 'a/b'), 0o700);
      symlinkSync('a/one.txt', join(source, 'link'));
    });
    symlinkSync('a/one.txt', join(b.source.path, 'x')); // not in the snapshot: must not appear
    using to = tempDir('to');
    const restored = await cli('restore', b.target.path, '--to', to.path);
    expect(restored).toMatchObject({ code: 0 });
    for (const rel of ['a/one.txt', 'a/b/two.txt', 'three']) {
      expect(readFileSync(join(to.path, b.folder, rel), 'utf8')).toBe(readFileSync(join(b.source.path, rel), 'utf8'));
    }
    expect(statSync(join(to.path, b.folder, 'a/b'), { bigint: true }).mtimeNs).toBe(statSync(join(b.source.path, 'a/b'), { bigint: true }).mtimeNs);
    expect(existsSync(join(to.path, b.folder, 'x'))).toBe(false);
    expect(statSync(join(to.path, b.folder, 'three')).mode & 0o7777).toBe(0o600);
    expect(statSync(join(to.path, b.folder, 'a/b')).mode & 0o7777).toBe(0o700);
    expect(readlinkSync(join(to.path, b.folder, 'link'))).toBe('a/one.txt');

    const listed = await cli('list', b.target.path, '--json');
    expect(JSON.parse(listed.stdout).snapshots).toMatchObject([{ id: b.id, status: 'succeeded', files: 3, bytes: 7 }]);
    expect(JSON.parse(listed.stdout).incomplete).toEqual([]);
    expect((await cli('list', b.target.path)).stdout).toContain(b.id);
  });

  it('restores only the paths asked for, given as backed up', async () => {
    using b = await backedUp({ 'a/one.txt': 'one', 'a/b/two.txt': 'two', 'c/three': '3' });
    symlinkSync('one.txt', join(b.source.path, 'a', 'link'));
    using to = tempDir('to');
    expect(await cli('restore', b.target.path, '--to', to.path, join(b.source.path, 'a', 'b'))).toMatchObject({ code: 0 });
    expect(readdirSync(join(to.path, b.folder))).toEqual(['a']);
    expect(readdirSync(join(to.path, b.folder, 'a'))).toEqual(['b']);
  });

  it('restores symlinks as links and never writes through a symlink in the destination', async () => {
    using b = await backedUp({ 'docs/secret.txt': 'mine' });
    using outside = tempDir('outside');
    using to = tempDir('to');
    mkdirSync(join(to.path, b.folder), { recursive: true });
    symlinkSync(outside.path, join(to.path, b.folder, 'docs')); // planted where a folder belongs
    expect(await cli('restore', b.target.path, '--to', to.path)).toMatchObject({ code: 0 });
    expect(readdirSync(outside.path)).toEqual([]);
    expect(lstatSync(join(to.path, b.folder, 'docs')).isDirectory()).toBe(true);
    expect(readFileSync(join(to.path, b.folder, 'docs', 'secret.txt'), 'utf8')).toBe('mine');

    symlinkSync(join(outside.path, 'victim'), join(to.path, b.folder, 'docs', 'secret.txt.tmp'));
    unlinkSync(join(to.path, b.folder, 'docs', 'secret.txt'));
    symlinkSync(join(outside.path, 'victim'), join(to.path, b.folder, 'docs', 'secret.txt')); // a file's place
    expect(await cli('restore', b.target.path, '--to', to.path)).toMatchObject({ code: 0 });
    expect(existsSync(join(outside.path, 'victim'))).toBe(false);
    expect(lstatSync(join(to.path, b.folder, 'docs', 'secret.txt')).isFile()).toBe(true);
    expect(readlinkSync(join(to.path, b.folder, 'docs', 'secret.txt.tmp'))).toBe(join(outside.path, 'victim'));
  });

  it.each([
    ['a parent reference', 'vol/../../escaped'],
    ['an absolute path', '/tmp/stillpoint-escaped'],
    ['an empty component', 'vol//x'],
  ])('refuses a manifest path with %s and writes nothing', async (_, path) => {
    using target = tempDir('crafted');
    using to = tempDir('to');
    craftedSnapshot(target.path, [{ ...FILE, path: 'vol', type: 'dir', size: 0 }, { ...FILE, path }]);
    const result = await cli('restore', target.path, '--to', join(to.path, 'inner'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`"${path}", which would escape the destination`);
    expect(readdirSync(to.path)).toEqual([]);
    expect(existsSync('/tmp/stillpoint-escaped')).toBe(false);
  });

  it('verify passes an intact snapshot and names a flipped byte and a missing file', async () => {
    using b = await backedUp({ 'a/one.txt': 'one', 'a/two.txt': 'two', 'big.bin': 'x'.repeat(100_000) });
    const intact = await cli('verify', b.target.path);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('intact');

    const big = readFileSync(b.stored('big.bin'));
    big[54_321] ^= 0x01;
    writeFileSync(b.stored('big.bin'), big);
    unlinkSync(b.stored('a/two.txt'));
    const damaged = await cli('verify', b.target.path, '--snapshot', b.id);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`mismatch: ${b.folder}/big.bin`);
    expect(damaged.stderr).toContain(`missing: ${b.folder}/a/two.txt`);
    expect(damaged.stderr).not.toContain('one.txt');

    using to = tempDir('to');
    const restored = await cli('restore', b.target.path, '--to', to.path);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toContain(`${b.folder}/big.bin: content does not match the manifest`);
    expect(existsSync(join(to.path, b.folder, 'big.bin'))).toBe(false);
    expect(readFileSync(join(to.path, b.folder, 'a/one.txt'), 'utf8')).toBe('one');
  });

  it('says which snapshots exist when asked for one that does not', async () => {
    using b = await backedUp({ f: '1' });
    const result = await cli('verify', b.target.path, '--snapshot', '1999-01-01T000000Z');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no complete snapshot "1999-01-01T000000Z"`);
    expect(result.stderr).toContain(b.id);
    appendFileSync(join(b.target.path, 'unrelated.txt'), 'not a snapshot');
    mkdirSync(join(b.target.path, '.partial-2030-01-01T000000Z')); // a run in progress, or killed
    mkdirSync(join(b.target.path, '2030-01-02T000000Z')); // a snapshot name without a summary
    const listed = JSON.parse((await cli('list', b.target.path, '--json')).stdout);
    expect(listed.snapshots.map((s: { id: string }) => s.id)).toEqual([b.id]);
    expect(listed.incomplete).toEqual(['.partial-2030-01-01T000000Z', '2030-01-02T000000Z']);
    expect((await cli('list', b.target.path)).stdout).toContain('incomplete (not a usable snapshot): .partial-2030-01-01T000000Z');
    expect((await cli('verify', b.target.path)).stdout).toContain(`snapshot ${b.id} is intact`);
  });
});
