// Write-back during the copy (flush.ts) counts the bytes written, not the bytes a reflink
// shared: on btrfs a snapshot of cloned files has no data to write back, and a syncfs there
// commits a transaction for nothing (1.032x in paired rounds, bench/results/tree-profile.md).

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { WRITE_BACK_BYTES } from '../../src/targets/tree/flush.ts';
import { TreeTarget } from '../../src/targets/tree/index.ts';
import * as libc from '../../src/targets/tree/libc.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';
import { recordingContext, sourceOf } from '../targets/tree/context.ts';
import { writeTree } from '../targets/tree/fixture.ts';

vi.mock('../../src/targets/tree/libc.ts', async (original) => {
  const actual = await original<typeof import('../../src/targets/tree/libc.ts')>();
  return { ...actual, syncFilesystem: vi.fn(actual.syncFilesystem) };
});

describeWith('tree target: write-back during the copy', [linux(), root(), command('mkfs.btrfs', 'install btrfs-progs')], () => {
  let disk: LoopFilesystem;
  beforeAll(() => {
    disk = createLoopFilesystem('btrfs', 320);
  });
  afterAll(() => disk?.destroy());

  it('starts none for files a reflink copied, only the flush before publishing', async () => {
    const source = join(disk.mountPoint, 'source');
    mkdirSync(source);
    const half = WRITE_BACK_BYTES / 2 + 1024;
    writeTree(source, { 'a.bin': randomBytes(half), 'b.bin': randomBytes(half), 'c.bin': randomBytes(half) });
    const syncfs = vi.mocked(libc.syncFilesystem);
    syncfs.mockClear();
    const result = await new TreeTarget(join(disk.mountPoint, 'backups')).write([sourceOf(source)], recordingContext());
    expect(result.bytes).toBe(3 * half);
    expect(syncfs).toHaveBeenCalledTimes(1);
  });
});
