// Which threads a tree target write starts, and that the walk never waits for one to start:
// links of unchanged files need none in a small run, and until a copy thread is ready the
// walking thread links and copies small files itself.

import { EventEmitter } from 'node:events';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { linkUnchanged } from '../../../src/targets/tree/copy.ts';
import { BATCHED_FILE_BYTES, COPY_THREAD_LEAVE, CopyPool, type CopyReply, type CopyRequest } from '../../../src/targets/tree/copy-pool.ts';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { volumeFolder } from '../../../src/targets/tree/layout.ts';
import * as thread from '../../../src/targets/tree/thread.ts';
import { recordingContext, sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

vi.mock('../../../src/targets/tree/thread.ts', async (original) => {
  const actual = await original<typeof import('../../../src/targets/tree/thread.ts')>();
  return { ...actual, startWorker: vi.fn(actual.startWorker) };
});
const realStartWorker = (await vi.importActual<typeof import('../../../src/targets/tree/thread.ts')>('../../../src/targets/tree/thread.ts')).startWorker;

const copyThreadsStarted = () => vi.mocked(thread.startWorker).mock.calls.filter(([file]) => file.includes('copy-worker')).length;

/** A stand-in for a copy thread: `answer` takes each request it is sent; asked to leave, it leaves. */
function fakeCopyThread(answer: (request: CopyRequest) => void): Worker {
  const worker = Object.assign(new EventEmitter(), {
    postMessage(message: CopyRequest | typeof COPY_THREAD_LEAVE) {
      if (message === COPY_THREAD_LEAVE) setImmediate(() => worker.emit('exit', 0));
      else answer(message);
    },
    unref() {},
  });
  return worker as unknown as Worker;
}

/**
 * In place of each copy thread: one that is still starting until it is asked to leave (it
 * never says it is ready and never answers), or, with `requests`, one that is ready at once
 * and only links, recording what it was asked.
 */
function fakeCopyThreads(requests?: CopyRequest[]): void {
  vi.mocked(thread.startWorker).mockImplementation((file, start) => {
    if (!file.includes('copy-worker')) return realStartWorker(file, start);
    const worker = fakeCopyThread((request) => {
      if (!requests) return;
      requests.push(request);
      const { roots } = request;
      const linked = (path: string, i: number) => request.link[i] && linkUnchanged(join(roots.previous!, path), join(roots.dest, path));
      const reply: CopyReply = { id: request.id, outcomes: request.paths.map((path, i) => (linked(path, i) ? { kind: 'linked' } : { kind: 'vanished' })) };
      setImmediate(() => worker.emit('message', reply));
    });
    if (requests) setImmediate(() => worker.emit('message', 'ready'));
    return worker;
  });
}

describe('tree target threads', () => {
  beforeEach(() => {
    vi.mocked(thread.startWorker).mockReset();
    vi.mocked(thread.startWorker).mockImplementation(realStartWorker);
  });

  it('copies and links the files of a small run on its own thread, and starts no copy thread', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`d${i % 3}/f${i}`, `file ${i}`])));
    const first = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(first.details).toMatchObject({ linked: 0, copied: 20 });
    expect(copyThreadsStarted()).toBe(0);
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 20, copied: 0 });
    expect(copyThreadsStarted()).toBe(0);
  });

  it('starts the copy threads past the first 250 small files copied, and at the first large one', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 249 }, (_, i) => [`d${i % 10}/f${i}`, `${i}`])));
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(copyThreadsStarted()).toBe(0);
    rmSync(target.path, { recursive: true });
    writeTree(source.path, { 'd0/f249': 'one more' });
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(copyThreadsStarted()).toBeGreaterThan(0);
    vi.mocked(thread.startWorker).mockClear();
    rmSync(source.path, { recursive: true });
    rmSync(target.path, { recursive: true });
    writeTree(source.path, { small: 'small', large: Buffer.alloc(BATCHED_FILE_BYTES + 1, 1) });
    const large = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(large.details).toMatchObject({ copied: 2 });
    expect(copyThreadsStarted()).toBeGreaterThan(0);
  }, 60_000);

  it('starts the copy threads past the first thousand links', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`d${i % 10}/f${i}`, `${i}`])));
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    vi.mocked(thread.startWorker).mockClear();
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 1100, copied: 0 });
    expect(copyThreadsStarted()).toBeGreaterThan(0);
    const volume = join(second.location!, volumeFolder(source.path));
    for (const i of [0, 999, 1099]) expect(statSync(join(volume, `d${i % 10}`, `f${i}`)).nlink, `f${i}`).toBe(2);
  }, 60_000);

  it('starts the copy threads at once when the previous snapshot held more than a thousand files', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`d${i % 10}/f${i}`, `${i}`])));
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    // Five files left: too few to start a thread by counting this run's links.
    for (let i = 5; i < 1100; i++) rmSync(join(source.path, `d${i % 10}`, `f${i}`));
    vi.mocked(thread.startWorker).mockClear();
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 5, copied: 0 });
    expect(copyThreadsStarted()).toBeGreaterThan(0);
  }, 60_000);

  it('copies and links on the walking thread while no copy thread is ready, instead of waiting for one', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`d${i % 10}/f${i}`, `${i}`])));
    fakeCopyThreads();
    const first = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(first.details).toMatchObject({ linked: 0, copied: 1100 });
    expect(copyThreadsStarted()).toBeGreaterThan(0);
    vi.mocked(thread.startWorker).mockClear();
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 1100, copied: 0 });
    expect(copyThreadsStarted()).toBeGreaterThan(0);
  }, 60_000);

  it('hands the links to a copy thread once one is ready', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`d${i % 10}/f${i}`, `${i}`])));
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    const requests: CopyRequest[] = [];
    fakeCopyThreads(requests);
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 1500, copied: 0 });
    const handed = requests.flatMap((r) => r.link);
    // The threads started with the run (the previous snapshot held 1,500 files) and were ready
    // at once: the walking thread linked only the files before its first turn of the event loop.
    expect(handed.length).toBeGreaterThanOrEqual(1500 - 64);
    expect(handed.every((link) => link)).toBe(true);
    const volume = join(second.location!, volumeFolder(source.path));
    for (const i of [0, 1499]) expect(statSync(join(volume, `d${i % 10}`, `f${i}`)).nlink, `f${i}`).toBe(2);
  }, 60_000);

  it('sends a copy thread the two batches after the one in hand before it has answered it, and no fourth', async () => {
    const requests: CopyRequest[] = [];
    let worker!: Worker;
    vi.mocked(thread.startWorker).mockImplementation(() => (worker = fakeCopyThread((request) => requests.push(request))));
    const pool = new CopyPool(() => {}, new AbortController().signal, undefined, 1);
    const roots = { volume: 'v', source: '/nowhere', dest: '/nowhere' };
    const outcomes = Array.from({ length: 128 }, (_, i) => pool.copy({ roots, path: `f${i}`, live: false }, true));
    await new Promise((resolve) => setImmediate(resolve));
    // Four batches of 32: three in the thread's hands, none of them answered yet.
    expect(requests.map((r) => r.paths.length)).toEqual([32, 32, 32]);
    for (let answered = 0; answered < 4; answered++) {
      const request = requests[answered]!;
      const reply: CopyReply = { id: request.id, outcomes: request.paths.map(() => ({ kind: 'vanished' })) };
      worker.emit('message', reply);
    }
    expect(await Promise.all(outcomes)).toEqual(Array.from({ length: 128 }, () => ({ kind: 'vanished' })));
    expect(requests).toHaveLength(4);
    await pool.close();
  });
});
