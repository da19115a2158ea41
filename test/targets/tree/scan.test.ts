import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { below, comparePaths } from '../../../src/targets/tree/layout.ts';
import { BACKGROUND_NICE } from '../../../src/targets/tree/thread.ts';
import type { CopySource } from '../../../src/targets/target.ts';
import { Tally, TreeScan, type ScanCount, type ScanReport, type ScanStart, type WalkPosition } from '../../../src/targets/tree/scan.ts';
import { sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

/** Each source as a volume whose folder in the snapshot is v0, v1, ... */
const volumesOf = (sources: CopySource[]) => sources.map((source, i) => ({ source, folder: `v${i}` }));

/** A scan of `sources` beside a copy's walk that has not come to a file yet. */
const scanBeforeTheWalk = (sources: CopySource[], onTotals: () => void, start: ScanStart) => new TreeScan(volumesOf(sources), { files: 0, bytes: 0 }, onTotals, start);

/** Runs a scan to its end beside a walk that has not begun: its totals. */
async function scanAll(sources: CopySource[]): Promise<ScanCount | undefined> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const scan = scanBeforeTheWalk(sources, resolve, { afterMs: 0, background: true });
  await promise;
  await scan.close();
  return scan.count;
}

/** A walk that has come to `paths`, each file of `bytes`. */
function walkedTo(paths: string[], bytes = 1): WalkPosition {
  return { files: paths.length, bytes: paths.length * bytes, path: paths.at(-1) };
}

describe('tally of the scan from the end and the walk from the start', () => {
  const report = (files: number, from: string | undefined, done = false): ScanReport => ({ files, bytes: files, from, done });

  it('knows the totals where the walk reaches the point a report had counted back to: the walk\'s files before it and the scan\'s from it', () => {
    const walk = walkedTo(['v/a', 'v/b']);
    const tally = new Tally(walk);
    expect(tally.count).toBeUndefined();
    expect(tally.report(report(3, 'v/h'))).toBe(false);
    expect(tally.count).toEqual({ files: 5, bytes: 5, done: false });
    for (const path of ['v/c', 'v/d', 'v/g']) {
      expect(tally.reach(path)).toBe(false);
      Object.assign(walk, walkedTo([...Array(walk.files).fill('v/x'), path]));
    }
    expect(tally.reach('v/h')).toBe(true);
    expect(tally.count).toEqual({ files: 8, bytes: 8, done: true });
    expect(tally.reach('v/i')).toBe(false);
  });

  it('meets in the earlier report when a later one comes from behind the walk, and tells the scan to stop', () => {
    const walk = walkedTo(['v/a', 'v/b', 'v/c']);
    const tally = new Tally(walk);
    expect(tally.report(report(1, 'v/z'))).toBe(false);
    expect(tally.report(report(30, 'v/b'))).toBe(true);
    expect(tally.count).toEqual({ files: 4, bytes: 4, done: false });
    expect(tally.reach('v/z')).toBe(true);
    expect(tally.count).toEqual({ files: 4, bytes: 4, done: true });
  });

  it('takes the walk\'s counts as the totals when the scan\'s first report, its last file, is behind the walk: the walk has come to every file', () => {
    const tally = new Tally(walkedTo(['v/a', 'v/b', 'v/z']));
    expect(tally.report(report(1, 'v/z'))).toBe(true);
    expect(tally.count).toEqual({ files: 3, bytes: 3, done: true });
  });

  it('takes the scan\'s counts as the totals when it has come to the start before the walk came to a file', () => {
    const tally = new Tally({ files: 0, bytes: 0 });
    expect(tally.report(report(7, 'v/a', true))).toBe(true);
    expect(tally.count).toEqual({ files: 7, bytes: 7, done: true });
  });
});

describe('tree scan', () => {
  it('counts the regular files and their bytes of every volume, as the copy selects them', async () => {
    using a = tempDir('scan-a');
    using b = tempDir('scan-b');
    writeTree(a.path, { 'x.txt': 'xxx', 'sub/y.bin': Buffer.alloc(5000), 'cache/skip.tmp': 'not counted', 'sub/z.tmp': 'nor this' });
    symlinkSync('x.txt', join(a.path, 'link')); // a symlink is no file to count
    mkdirSync(join(a.path, 'empty'));
    writeTree(b.path, { 'pagefile.sys': 'a system file', 'w.txt': Buffer.alloc(100_000) });
    expect(await scanAll([sourceOf(a.path, { exclude: ['*.tmp', '/cache'] }), sourceOf(b.path)])).toEqual({ files: 3, bytes: 3 + 5000 + 100_000, done: true });
  });

  /** The most threads of this process seen at BACKGROUND_NICE while a scan ran to its end. */
  async function backgroundThreadsDuringScan(background: boolean): Promise<number> {
    using a = tempDir('scan-nice');
    writeTree(a.path, Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`d${i % 20}/f${i}`, 'x'])));
    const backgroundThreads = () =>
      readdirSync('/proc/self/task').filter((tid) => {
        try {
          // The fields after the command name: nice is the 19th of the whole line.
          return readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16] === String(BACKGROUND_NICE);
        } catch {
          return false; // the thread ended meanwhile
        }
      }).length;
    expect(backgroundThreads()).toBe(0);
    let seen = 0;
    let done = false;
    const scan = scanBeforeTheWalk([sourceOf(a.path)], () => (done = true), { afterMs: 0, background });
    while (!done) {
      seen = Math.max(seen, backgroundThreads());
      // Not a busy loop: this thread would take the core the scan waits for.
      await sleep(2);
    }
    await scan.close();
    return seen;
  }

  it('runs in the background on a thread of lower priority, so that it gives way to the copy on a busy machine', async () => {
    expect(await backgroundThreadsDuringScan(true)).toBe(1);
  });

  it('runs otherwise at the priority of the copy', async () => {
    expect(await backgroundThreadsDuringScan(false)).toBe(0);
  });

  it('reads at the idle I/O class, so that its reads of folders and inodes wait for the copy\'s reads of data on a shared disk', async () => {
    using a = tempDir('scan-io');
    writeTree(a.path, Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`d${i % 100}/f${i}`, ''])));
    const scanThread = () => readdirSync('/proc/self/task').find((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'stillpoint-scan');
    const scan = scanBeforeTheWalk([sourceOf(a.path)], () => {}, { afterMs: 0, background: false });
    try {
      // The thread sets its class as it starts, before it counts; its first report comes with
      // its first file, and counting the other 19,999 takes far longer than a look.
      while (scan.count === undefined) await sleep(1);
      const tid = scanThread();
      expect(tid).toBeDefined();
      expect(execFileSync('ionice', ['-p', tid!], { encoding: 'utf8' })).toMatch(/^idle/);
    } finally {
      await scan.close();
    }
  });

  it('has no count once its thread is started until the thread says one, so that no progress says "counting: 0 files"', async () => {
    using a = tempDir('scan-first');
    writeTree(a.path, { 'x.txt': 'x' });
    let told = false;
    const scan = scanBeforeTheWalk([sourceOf(a.path)], () => (told = true), { afterMs: 0, background: true });
    // The delay has passed and the thread is starting, which takes milliseconds more.
    await sleep(0);
    expect(told).toBe(false);
    expect(scan.count).toBeUndefined();
    while (!told) await sleep(5);
    expect(scan.count).toEqual({ files: 1, bytes: 1, done: true });
    await scan.close();
  });

  it('starts no thread when closed before its delay, and has counted nothing: a short copy costs no scan', async () => {
    using a = tempDir('scan-short');
    writeTree(a.path, { 'x.txt': 'x' });
    let told = false;
    const scan = scanBeforeTheWalk([sourceOf(a.path)], () => (told = true), { afterMs: 200, background: true });
    await scan.close();
    await sleep(1500);
    expect(told).toBe(false);
    expect(scan.count).toBeUndefined();
  });

  it('counts from the end and meets the copy\'s walk from the start: the totals before the walk has come to every file, each file counted once', async () => {
    using a = tempDir('scan-meet');
    const names = Array.from({ length: 3000 }, (_, i) => `d${String(Math.floor(i / 100)).padStart(2, '0')}/f${String(i).padStart(4, '0')}`);
    writeTree(a.path, Object.fromEntries(names.map((name) => [name, 'xy'])));
    const paths = names.map((name) => below('v0', name)).sort(comparePaths);
    const walk: WalkPosition = { files: 0, bytes: 0 };
    const step = (path: string) => Object.assign(walk, { files: walk.files + 1, bytes: walk.bytes + 2, path });
    // The copy's walk has come half way when the scan starts.
    paths.slice(0, 1500).forEach(step);
    let met = false;
    const scan = new TreeScan(volumesOf([sourceOf(a.path)]), walk, () => (met = true), { afterMs: 0, background: false });
    while (scan.count === undefined) await sleep(5);
    // The scan's first report is of its first file, the last of the tree.
    expect(scan.count).toEqual({ files: 1501, bytes: 3002, done: false });
    // Then the walk goes on, far slower than the scan, as a copy does.
    for (const path of paths.slice(1500)) {
      scan.reach(path);
      if (met) break;
      step(path);
      if (walk.files % 10 === 0) await sleep(5);
    }
    await scan.close();
    expect(scan.count).toEqual({ files: 3000, bytes: 6000, done: true });
    expect(walk.files).toBeLessThan(2500);
  });
});
