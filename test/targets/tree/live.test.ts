// The copy provider's two phases (LANGUAGE.md §6) against a real writer process.

import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { comparePaths } from '../../../src/targets/tree/layout.ts';
import type { ScanWork } from '../../../src/targets/tree/scan.ts';
import type { WorkerStart } from '../../../src/targets/tree/thread.ts';
import { recordingContext, sourceOf } from './context.ts';
import { readManifestFile, tempDir, writeTree } from './fixture.ts';

/** A shell that appends to `file` without pause, for `seconds` (or until killed). */
async function appender(file: string, seconds: number): Promise<ChildProcess> {
  const child = spawn('timeout', [String(seconds), 'sh', '-c', `while :; do echo more; done >> '${file}'`], { stdio: 'ignore' });
  const initial = statSync(file).size;
  while (statSync(file).size === initial) await sleep(5);
  return child;
}

/** Large enough that reading it takes a while, so the appender surely writes meanwhile. */
const BIG = Buffer.alloc(32 * 1024 * 1024, 'x');

/** When each scan thread was started (Date.now()), and whether in the background; the copy threads are not recorded. */
const scansStarted = vi.hoisted((): Array<{ at: number; background: boolean }> => []);
vi.mock('../../../src/targets/tree/thread.ts', async (importOriginal) => {
  const thread = await importOriginal<typeof import('../../../src/targets/tree/thread.ts')>();
  return {
    ...thread,
    startWorker: (file: string, start: WorkerStart) => {
      if (file.includes('scan-worker')) scansStarted.push({ at: Date.now(), background: (start.workerData as ScanWork).background });
      return thread.startWorker(file, start);
    },
  };
});

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('live copy (copy provider)', () => {
  it('skips a file that keeps changing as changed-during-copy after the retries, and ends partial', async () => {
    using source = tempDir('live');
    using target = tempDir('dst');
    writeTree(source.path, { 'a.txt': 'a', 'm/log': BIG, 'z.txt': 'z' });
    const writer = await appender(join(source.path, 'm/log'), 30);
    try {
      const context = recordingContext();
      const started = Date.now();
      const result = await new TreeTarget(target.path).write([sourceOf(source.path, { live: { retries: 2, retryDelayMs: 100 } })], context);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200); // two retries, 100 ms apart
      expect(result).toMatchObject({ status: 'partial', files: 2, skipped: 1 });
      expect(context.skippedFiles).toEqual([{ path: join(source.path, 'm/log'), reason: 'changed-during-copy', detail: expect.stringMatching(/changed .*while it was read/) }]);
      const manifest = readManifestFile(join(target.path, result.snapshotId!));
      expect(manifest.map((e) => e.path.split('/').slice(1).join('/'))).toEqual(['', 'a.txt', 'm', 'z.txt']);
    } finally {
      writer.kill();
      await exited(writer);
    }
  });

  it('tells the scan\'s totals while the copy is still going on, in a first backup at the copy\'s priority, after a snapshot in the background', async () => {
    using source = tempDir('live');
    using target = tempDir('dst');
    writeTree(source.path, { 'a.txt': 'a', 'm/log': BIG, 'z.txt': 'z' });
    const writer = await appender(join(source.path, 'm/log'), 30);
    try {
      // Phase two waits 4 x 1 s for m/log to settle: time enough for the scan to start and end meanwhile.
      const live = { retries: 4, retryDelayMs: 1000 };
      for (const background of [false, true]) {
        const context = recordingContext();
        scansStarted.length = 0;
        const started = Date.now();
        const result = await new TreeTarget(target.path).write([sourceOf(source.path, { live })], context);
        expect(result).toMatchObject({ files: 2, skipped: 1 });
        // Not before the copy has run for two seconds: a shorter copy gains little from a total,
        // and the scan's thread would take CPU from it.
        expect(scansStarted).toHaveLength(1);
        expect(scansStarted[0]!.at - started).toBeGreaterThanOrEqual(2000);
        // A first backup has no estimate meanwhile; a run after a snapshot has.
        expect(scansStarted[0]!.background).toBe(background);
        // The scan counted m/log, which the copy then skipped: 3 files told mid-run, 2 at the end.
        expect(context.progressed.slice(0, -1)).toContainEqual(expect.objectContaining({ totalFiles: 3 }));
        // The counts so far, until the totals: never both, and never 0 files as if counting had begun.
        for (const p of context.progressed) expect(p.scannedFiles !== undefined && p.totalFiles !== undefined).toBe(false);
        expect(context.progressed.some((p) => p.scannedFiles === 0)).toBe(false);
        expect(context.progressed.at(-1)).toMatchObject({ filesDone: 2, totalFiles: 2 });
      }
    } finally {
      writer.kill();
      await exited(writer);
    }
  }, 60_000);

  it('copies in phase two a file that settled after phase one, in manifest order', async () => {
    using source = tempDir('live');
    using target = tempDir('dst');
    writeTree(source.path, { 'a.txt': 'a', 'm/log': BIG, 'm/n.txt': 'n', 'z.txt': 'z' });
    const writer = await appender(join(source.path, 'm/log'), 1);
    try {
      const context = recordingContext();
      const result = await new TreeTarget(target.path).write([sourceOf(source.path, { live: { retries: 5, retryDelayMs: 700 } })], context);
      expect(context.skippedFiles).toEqual([]);
      expect(result).toMatchObject({ status: 'succeeded', files: 4, skipped: 0 });
      const manifest = readManifestFile(join(target.path, result.snapshotId!));
      const paths = manifest.map((e) => e.path);
      expect([...paths].sort(comparePaths)).toEqual(paths);
      const log = manifest.find((e) => e.path.endsWith('/m/log'))!;
      expect(log.size).toBe(statSync(join(source.path, 'm/log')).size);
    } finally {
      writer.kill();
      await exited(writer);
    }
  });
});
