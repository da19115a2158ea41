import { existsSync, readFileSync, readdirSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { CopyPool, type CopyRoots } from '../../../src/targets/tree/copy-pool.ts';
import * as thread from '../../../src/targets/tree/thread.ts';
import { sha256, tempDir, writeTree } from './fixture.ts';

vi.mock('../../../src/targets/tree/thread.ts', async (original) => {
  const actual = await original<typeof import('../../../src/targets/tree/thread.ts')>();
  return { ...actual, startWorker: vi.fn(actual.startWorker) };
});

const noTrouble = () => {};

/** One volume's roots: the files of a test are all below them. */
const rootsOf = (source: string, dest: string, previous?: string): CopyRoots => ({ volume: 'v', source, dest, previous });

describe('copy pool', () => {
  it('copies batches of small files and large ones alone, answering each file in its own order', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    const files = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}`, `content ${i}`]));
    writeTree(source.path, { ...files, large: Buffer.alloc(1024 * 1024, 3) });
    const pool = new CopyPool(noTrouble, new AbortController().signal, undefined, 2);
    try {
      const roots = rootsOf(source.path, target.path);
      const copy = (name: string, small: boolean) => pool.copy({ roots, path: name, live: false }, small);
      const outcomes = await Promise.all([...Object.keys(files).map((name) => copy(name, true)), copy('large', false)]);
      for (const [i, name] of [...Object.keys(files), 'large'].entries()) {
        const content = readFileSync(join(source.path, name));
        expect(outcomes[i]).toMatchObject({ kind: 'copied', size: content.length, sha256: sha256(content) });
        expect(readFileSync(join(target.path, name))).toEqual(content);
      }
    } finally {
      await pool.close();
    }
  });

  it('hard-links an unchanged file, and copies it when the previous snapshot lost it', async () => {
    using source = tempDir('pool-src');
    using previous = tempDir('pool-prev');
    using target = tempDir('pool-dst');
    writeTree(source.path, { kept: 'kept', lost: 'lost' });
    writeTree(previous.path, { kept: 'kept' });
    const pool = new CopyPool(noTrouble, new AbortController().signal, undefined, 1);
    try {
      const roots = rootsOf(source.path, target.path, previous.path);
      const copy = (name: string) => pool.copy({ roots, path: name, live: false, link: true }, true);
      const [kept, lost] = await Promise.all([copy('kept'), copy('lost')]);
      expect(kept).toEqual({ kind: 'linked' });
      expect(statSync(join(target.path, 'kept')).ino).toBe(statSync(join(previous.path, 'kept')).ino);
      expect(lost).toMatchObject({ kind: 'copied', sha256: sha256('lost') });
      expect(statSync(join(target.path, 'lost')).nlink).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('closes every source of a batch that a target error stopped half-way', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i === 3 ? 'missing/f3' : `f${i}`, `content ${i}`])));
    const pool = new CopyPool(noTrouble, new AbortController().signal, undefined, 1);
    try {
      // f3's folder does not exist on the target: creating it fails the batch at its fourth file.
      const roots = rootsOf(source.path, target.path);
      const copies = Array.from({ length: 10 }, (_, i) => pool.copy({ roots, path: i === 3 ? 'missing/f3' : `f${i}`, live: false }, true));
      const settled = await Promise.allSettled(copies);
      expect(settled.every((s) => s.status === 'rejected' && /ENOENT/.test(String(s.reason)))).toBe(true);
      const open = readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          return [readlinkSync(`/proc/self/fd/${fd}`)];
        } catch {
          return [];
        }
      });
      expect(open.filter((path) => path.startsWith(source.path))).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('copies a file on the calling thread as a copy thread would, starting none, and throws a target error', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    writeTree(source.path, { a: 'here', 'missing/a': 'here' });
    const pool = new CopyPool(noTrouble, new AbortController().signal, undefined, 1);
    try {
      const roots = rootsOf(source.path, target.path);
      expect(pool.copyHere({ roots, path: 'a', live: false })).toMatchObject({ kind: 'copied', sha256: sha256('here') });
      expect(readFileSync(join(target.path, 'a'), 'utf8')).toBe('here');
      expect(pool.ready).toBe(false);
      // The target has no folder "missing".
      expect(() => pool.copyHere({ roots, path: 'missing/a', live: false })).toThrow(/ENOENT/);
    } finally {
      await pool.close();
    }
  });

  it('fails the files not yet started at once when the run is cancelled', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'x'])));
    const controller = new AbortController();
    const pool = new CopyPool(noTrouble, controller.signal, undefined, 1);
    try {
      const roots = rootsOf(source.path, target.path);
      const copies = Array.from({ length: 40 }, (_, i) => pool.copy({ roots, path: `f${i}`, live: false }, true));
      controller.abort(new Error('cancelled by SIGINT'));
      const settled = await Promise.allSettled(copies);
      const cancelled = settled.filter((s) => s.status === 'rejected' && /the copy was cancelled/.test(String(s.reason)));
      // The first full batch may already be on its way to the worker; everything after it is not copied.
      expect(cancelled.length).toBeGreaterThanOrEqual(40 - 32);
      expect(settled.filter((s) => s.status === 'fulfilled').length + cancelled.length).toBe(40);
    } finally {
      await pool.close();
    }
  });

  // Before, a thread finished the requests it held: a cancelled run waited for the whole of a
  // file of many gigabytes, and a second Ctrl-C then left its cleanup undone.
  it('stops a large file under way on its thread when the run is cancelled, and removes what it wrote', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    writeFileSync(join(source.path, 'big'), '');
    truncateSync(join(source.path, 'big'), 256 * 1024 * 1024); // sparse: read at memory speed, written in full
    const controller = new AbortController();
    const pool = new CopyPool(noTrouble, controller.signal, undefined, 1);
    try {
      pool.start();
      while (!pool.ready) await sleep(5);
      const copied = pool.copy({ roots: rootsOf(source.path, target.path), path: 'big', live: false }, false);
      while (!existsSync(join(target.path, 'big')) || statSync(join(target.path, 'big')).size === 0) await sleep(1);
      controller.abort(new Error('cancelled by SIGINT'));
      await expect(copied).rejects.toThrow(/the copy was cancelled/);
      expect(existsSync(join(target.path, 'big'))).toBe(false);
    } finally {
      await pool.close();
    }
  });

  // A thread stopped by Worker.terminate() inside koffi's initialisation aborts the whole
  // process (FATAL ERROR: napi_throw, koffi issue #190), and one stopped inside a koffi call
  // crashes it: a backup then dies without its cleanup.
  it('closes its threads by letting each answer what it holds and leave on its own, even one still loading its modules', async () => {
    using source = tempDir('pool-src');
    using target = tempDir('pool-dst');
    writeTree(source.path, { large: Buffer.alloc(4 * 1024 * 1024, 7) });
    let exited = 0;
    let terminated = 0;
    const started = vi.mocked(thread.startWorker).getMockImplementation()!;
    vi.mocked(thread.startWorker).mockImplementation((file, start) => {
      const worker = started(file, start);
      worker.once('exit', () => exited++);
      const terminate = worker.terminate.bind(worker);
      worker.terminate = () => (terminated++, terminate());
      return worker;
    });
    try {
      const pool = new CopyPool(noTrouble, new AbortController().signal, undefined, 2);
      pool.start();
      const copied = pool.copy({ roots: rootsOf(source.path, target.path), path: 'large', live: false }, false);
      // Neither thread has loaded its modules yet; one of them holds the copy.
      expect(pool.ready).toBe(false);
      await pool.close();
      expect({ exited, terminated }).toEqual({ exited: 2, terminated: 0 });
      expect(await copied).toMatchObject({ kind: 'copied', size: 4 * 1024 * 1024 });
    } finally {
      vi.mocked(thread.startWorker).mockImplementation(started);
    }
  });
});
