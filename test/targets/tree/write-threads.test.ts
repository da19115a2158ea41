// Which threads a tree target write starts: links of unchanged files need none in a small run.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TreeTarget } from '../../../src/targets/tree/index.ts';
import { volumeFolder } from '../../../src/targets/tree/layout.ts';
import * as thread from '../../../src/targets/tree/thread.ts';
import { recordingContext, sourceOf } from './context.ts';
import { tempDir, writeTree } from './fixture.ts';

vi.mock('../../../src/targets/tree/thread.ts', async (original) => {
  const actual = await original<typeof import('../../../src/targets/tree/thread.ts')>();
  return { ...actual, startWorker: vi.fn(actual.startWorker) };
});

const copyThreadsStarted = () => vi.mocked(thread.startWorker).mock.calls.filter(([file]) => file.includes('copy-worker')).length;

describe('tree target threads', () => {
  beforeEach(() => {
    vi.mocked(thread.startWorker).mockClear();
  });

  it('links the unchanged files of a small run on its own thread, and starts no copy thread', async () => {
    using source = tempDir('src');
    using target = tempDir('dst');
    writeTree(source.path, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`d${i % 3}/f${i}`, `file ${i}`])));
    await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(copyThreadsStarted()).toBeGreaterThan(0);
    vi.mocked(thread.startWorker).mockClear();
    const second = await new TreeTarget(target.path).write([sourceOf(source.path)], recordingContext());
    expect(second.details).toMatchObject({ linked: 20, copied: 0 });
    expect(copyThreadsStarted()).toBe(0);
  });

  it('hands the links past the first thousand to the copy threads', async () => {
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
});
