import { lstatSync, mkdirSync, readdir, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { comparePaths } from '../../../src/targets/tree/layout.ts';
import { Selection, walk } from '../../../src/targets/tree/walk.ts';
import { tempDir, writeTree } from './fixture.ts';

vi.mock('node:fs', async (original) => {
  const actual = await original<typeof import('node:fs')>();
  return { ...actual, readdir: vi.fn(actual.readdir), lstatSync: vi.fn(actual.lstatSync) };
});

function selected(root: string, rules: { include?: string[]; exclude?: string[]; excludeSystemFiles?: boolean }): string[] {
  const selection = new Selection({ include: rules.include ?? [], exclude: rules.exclude ?? [], excludeSystemFiles: rules.excludeSystemFiles ?? true });
  return [...walk(root, selection, true)].filter((i) => i.kind === 'entry').map((i) => i.rel);
}

describe('walk and selection', () => {
  it('visits entries in pre-order with names sorted, leaving each folder after its contents', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'b/z': '1', 'b/a': '2', 'a-c': '3', 'a/x': '4' });
    const selection = new Selection({ include: [], exclude: [], excludeSystemFiles: true });
    const order = [...walk(dir.path, selection, true)].map((i) => `${i.kind}:${i.rel}`);
    expect(order).toEqual(['entry:', 'entry:a', 'entry:a/x', 'leave:a', 'entry:a-c', 'entry:b', 'entry:b/a', 'entry:b/z', 'leave:b', 'leave:']);
  });

  it('in reverse, visits the files in descending manifest order, so that a scan from the end meets a walk from the start', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'b/z': '1', 'b/a': '2', 'a-c': '3', 'a/x': '4', 'a/y/q': '5' });
    const selection = new Selection({ include: [], exclude: [], excludeSystemFiles: true });
    const files = (reverse: boolean) => [...walk(dir.path, selection, true, { reverse })].filter((i) => i.kind === 'entry' && i.stat.isFile()).map((i) => i.rel);
    expect(files(false)).toEqual(['a/x', 'a/y/q', 'a-c', 'b/a', 'b/z']);
    expect(files(true)).toEqual(['b/z', 'b/a', 'a-c', 'a/y/q', 'a/x']);
    expect([...files(true)].sort(comparePaths).reverse()).toEqual(files(true));
  });

  it('reading ahead, asks for the folders in a folder as soon as it has read it, and visits the same entries', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'a/b/f': '1', 'a/c/g': '2', 'a/h': '3', 'd/i': '4', j: '5' });
    const selection = new Selection({ include: [], exclude: [], excludeSystemFiles: true });
    const readAhead = vi.mocked(readdir);
    readAhead.mockClear();
    const items = walk(dir.path, selection, true, { readAhead: true });
    const readAheadWhenAt: Record<string, string[]> = {};
    const order: string[] = [];
    for (const item of items) {
      order.push(`${item.kind}:${item.rel}`);
      readAheadWhenAt[`${item.kind}:${item.rel}`] = readAhead.mock.calls.map(([path]) => String(path).slice(dir.path.length + 1));
    }
    // The root's folders before the walk enters the first; a's once it has read a.
    expect(readAheadWhenAt['entry:a']).toEqual(['a', 'd']);
    expect(readAheadWhenAt['entry:a/b']).toEqual(['a', 'd', 'a/b', 'a/c']);
    expect(readAheadWhenAt['leave:']).toEqual(['a', 'd', 'a/b', 'a/c']);
    expect(order).toEqual([...walk(dir.path, selection, true)].map((i) => `${i.kind}:${i.rel}`));
    readAhead.mockClear();
    [...walk(dir.path, selection, true)];
    expect(readAhead).not.toHaveBeenCalled();
  });

  it('reading ahead, asks for 16 folders of a folder at first and one more each time it enters one', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${String(i).padStart(2, '0')}/x`, ''])));
    const selection = new Selection({ include: [], exclude: [], excludeSystemFiles: true });
    const readAhead = vi.mocked(readdir);
    readAhead.mockClear();
    const askedWhenAt: Record<string, number> = {};
    for (const item of walk(dir.path, selection, true, { readAhead: true })) askedWhenAt[`${item.kind}:${item.rel}`] = readAhead.mock.calls.length;
    expect(askedWhenAt['entry:f00']).toBe(16);
    expect(askedWhenAt['entry:f01']).toBe(17);
    expect(askedWhenAt['entry:f05']).toBe(20);
    expect(readAhead.mock.calls.map(([path]) => String(path).slice(dir.path.length + 1))).toEqual(Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`));
  });

  it('never looks at an excluded entry: no lstat, no folder read ahead (a hung mount that is excluded cannot hang the walk)', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'keep/a': '1', 'keep/b.tmp': '2', 'mnt/nfs/x': '3', 'mnt/y': '4', z: '5' });
    const selection = new Selection({ include: [], exclude: ['*.tmp', '/mnt/nfs'], excludeSystemFiles: true });
    const looked = vi.mocked(lstatSync);
    const readAhead = vi.mocked(readdir);
    looked.mockClear();
    readAhead.mockClear();
    const entries = [...walk(dir.path, selection, true, { readAhead: true })].filter((i) => i.kind === 'entry').map((i) => i.rel);
    expect(entries).toEqual(['', 'keep', 'keep/a', 'mnt', 'mnt/y', 'z']);
    const lstatted = looked.mock.calls.map(([path]) => String(path).slice(dir.path.length + 1));
    expect(lstatted).toEqual(['', 'keep', 'keep/a', 'mnt', 'mnt/y', 'z']);
    expect(readAhead.mock.calls.map(([path]) => String(path).slice(dir.path.length + 1))).toEqual(['keep', 'mnt']);
  });

  it('matches a pattern without "/" at any depth, and a leading "/" only at the root', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'tmp/a': '', 'src/tmp/b': '', 'src/x.tmp': '', 'y.tmp': '', 'src/keep.txt': '' });
    expect(selected(dir.path, { exclude: ['*.tmp'] })).toEqual(['', 'src', 'src/keep.txt', 'src/tmp', 'src/tmp/b', 'tmp', 'tmp/a']);
    expect(selected(dir.path, { exclude: ['/tmp'] })).toEqual(['', 'src', 'src/keep.txt', 'src/tmp', 'src/tmp/b', 'src/x.tmp', 'y.tmp']);
  });

  it('lets ** span folders and an include re-include what an exclude removed', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'cache/a/b/drop.bin': '', 'cache/keep/k.txt': '', 'cache/keep/deep/d.txt': '', 'data/x.conf': '', 'data/y.log': '' });
    expect(selected(dir.path, { exclude: ['cache/**', 'data/**'], include: ['cache/keep/**', '**/*.conf'] })).toEqual([
      '', 'cache', 'cache/a', 'cache/a/b', 'cache/keep', 'cache/keep/deep', 'cache/keep/deep/d.txt', 'cache/keep/k.txt', 'data', 'data/x.conf',
    ]);
    // Without an include that may match below it, an excluded folder is not entered at all.
    expect(selected(dir.path, { exclude: ['cache'] })).toEqual(['', 'data', 'data/x.conf', 'data/y.log']);
  });

  it('leaves out system files unless told to keep them', () => {
    using dir = tempDir('walk');
    writeTree(dir.path, { 'pagefile.sys': '', 'sub/HIBERFIL.SYS': '', 'swapfile.sys': '', 'normal.sys': '' });
    expect(selected(dir.path, {})).toEqual(['', 'normal.sys', 'sub']);
    expect(selected(dir.path, { excludeSystemFiles: false })).toEqual(['', 'normal.sys', 'pagefile.sys', 'sub', 'sub/HIBERFIL.SYS', 'swapfile.sys']);
  });

  it('leaves out the swap files the kernel lists', () => {
    const selection = new Selection({ include: [], exclude: [], excludeSystemFiles: true }, ['var/swap.img']);
    expect(selection.selects('var/swap.img', 'swap.img', false)).toBe(false);
    expect(selection.selects('var/other.img', 'other.img', false)).toBe(true);
  });

  it('keeps a symlink as an entry and never walks through it', () => {
    using dir = tempDir('walk');
    using outside = tempDir('outside');
    writeTree(outside.path, { 'secret.txt': 'x' });
    mkdirSync(join(dir.path, 'd'));
    symlinkSync(outside.path, join(dir.path, 'd', 'link'));
    expect(selected(dir.path, {})).toEqual(['', 'd', 'd/link']);
  });
});
