import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE } from '../../../src/targets/tree/thread.ts';
import type { CopySource } from '../../../src/targets/target.ts';
import { TreeScan, type ScanCount } from '../../../src/targets/tree/scan.ts';
import { sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

/** Runs a scan to its end; every count it reported, the last one the totals. */
async function scanAll(sources: CopySource[]): Promise<ScanCount[]> {
  const counts: ScanCount[] = [];
  const done = new Promise<void>((resolve) => {
    const scan = new TreeScan(
      sources,
      (count) => {
        counts.push(count);
        if (count.done) void scan.close().then(() => resolve());
      },
      { afterMs: 0, background: true },
    );
  });
  await done;
  return counts;
}

describe('tree scan', () => {
  it('counts the regular files and their bytes of every volume, as the copy selects them', async () => {
    using a = tempDir('scan-a');
    using b = tempDir('scan-b');
    writeTree(a.path, { 'x.txt': 'xxx', 'sub/y.bin': Buffer.alloc(5000), 'cache/skip.tmp': 'not counted', 'sub/z.tmp': 'nor this' });
    symlinkSync('x.txt', join(a.path, 'link')); // a symlink is no file to count
    mkdirSync(join(a.path, 'empty'));
    writeTree(b.path, { 'pagefile.sys': 'a system file', 'w.txt': Buffer.alloc(100_000) });
    const counts = await scanAll([sourceOf(a.path, { exclude: ['*.tmp', '/cache'] }), sourceOf(b.path)]);
    expect(counts.at(-1)).toEqual({ files: 3, bytes: 3 + 5000 + 100_000, done: true });
    expect(counts.slice(0, -1).every((c) => !c.done)).toBe(true);
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
    const scan = new TreeScan([sourceOf(a.path)], (count) => (done ||= count.done), { afterMs: 0, background });
    while (!done) {
      seen = Math.max(seen, backgroundThreads());
      // Not a busy loop: this thread would take the core the scan waits for.
      await new Promise((resolve) => setTimeout(resolve, 2));
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

  it('has no count once its thread is started until the thread says one, so that no progress says "counting: 0 files"', async () => {
    using a = tempDir('scan-first');
    writeTree(a.path, { 'x.txt': 'x' });
    let told: ScanCount | undefined;
    const scan = new TreeScan([sourceOf(a.path)], (count) => (told ??= structuredClone(count)), { afterMs: 0, background: true });
    // The delay has passed and the thread is starting, which takes milliseconds more.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(told).toBeUndefined();
    expect(scan.count).toBeUndefined();
    while (!told) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(scan.count).toEqual({ files: 1, bytes: 1, done: true });
    await scan.close();
  });

  it('starts no thread when closed before its delay, and has counted nothing: a short copy costs no scan', async () => {
    using a = tempDir('scan-short');
    writeTree(a.path, { 'x.txt': 'x' });
    const counts: ScanCount[] = [];
    const scan = new TreeScan([sourceOf(a.path)], (count) => counts.push(count), { afterMs: 200, background: true });
    await scan.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(counts).toEqual([]);
    expect(scan.count).toBeUndefined();
  });
});
