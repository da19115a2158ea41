import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { COPY_BUFFER_BYTES, cancelFlag, copyOpened, copyRegularFile, openSource, setCancelled } from '../../../src/targets/tree/copy.ts';
import { readAhead } from '../../../src/targets/tree/libc.ts';
import { command, describeWith, linux } from '../../support/requirements.ts';
import { sha256, tempDir } from './fixture.ts';

const options = () => ({ live: false, clone: { works: false }, buffer: Buffer.allocUnsafe(COPY_BUFFER_BYTES), onXattrTrouble: () => {} });

describe('copying one file', () => {
  it('copies a file opened beforehand and closes it', () => {
    using dir = tempDir('copy');
    writeFileSync(join(dir.path, 'a'), 'alpha');
    const opened = openSource(join(dir.path, 'a'), false);
    if (!('fd' in opened)) throw new Error(`could not open: ${JSON.stringify(opened.outcome)}`);
    expect(copyOpened(opened, join(dir.path, 'a'), join(dir.path, 'b'), options())).toMatchObject({ kind: 'copied', size: 5, sha256: sha256('alpha') });
    expect(() => closeSync(opened.fd)).toThrow(/EBADF/);
  });

  it('stops a copy once its run is cancelled, and leaves no part of the file behind', () => {
    using dir = tempDir('copy');
    writeFileSync(join(dir.path, 'a'), Buffer.alloc(3 * COPY_BUFFER_BYTES, 1));
    const cancel = cancelFlag();
    setCancelled(cancel);
    expect(() => copyRegularFile(join(dir.path, 'a'), join(dir.path, 'b'), { ...options(), cancel })).toThrow(
      expect.objectContaining({ code: 'ECANCELED', message: 'the copy was cancelled' }),
    );
    expect(existsSync(join(dir.path, 'b'))).toBe(false);
  });

  it('says a file deleted since the walk vanished', () => {
    using dir = tempDir('copy');
    expect(openSource(join(dir.path, 'gone'), false)).toEqual({ outcome: { kind: 'vanished' } });
  });

  it('sets aside a FIFO found where the walk saw a file, without waiting for a writer', () => {
    using dir = tempDir('copy');
    execFileSync('mkfifo', [join(dir.path, 'pipe')]);
    // Before O_NONBLOCK this open waited forever for a writer, and the copy thread with it.
    expect(copyRegularFile(join(dir.path, 'pipe'), join(dir.path, 'copy'), options())).toEqual({
      kind: 'set-aside',
      reason: 'changed-during-copy',
      detail: 'is no longer a regular file',
    });
    expect(existsSync(join(dir.path, 'copy'))).toBe(false);
  });
});

describeWith('reading ahead', [linux(), command('fincore', 'util-linux'), command('dd', 'coreutils')], () => {
  const pagesInMemory = (path: string) => Number(execFileSync('fincore', ['--noheadings', '--output', 'PAGES', path], { encoding: 'utf8' }).trim());

  it('has the kernel read a file into memory without reading it itself', async () => {
    using dir = tempDir('read-ahead');
    const path = join(dir.path, 'cold');
    writeFileSync(path, Buffer.alloc(256 * 1024, 7));
    // Written back, then dropped from the page cache: the file is only on the disk.
    execFileSync('sync', [path]);
    execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
    expect(pagesInMemory(path), 'the test folder must be on a disk, not tmpfs').toBe(0);
    const fd = openSync(path, 'r');
    try {
      readAhead(fd, 256 * 1024);
      for (let waited = 0; pagesInMemory(path) < 64 && waited < 5000; waited += 50) await sleep(50);
      expect(pagesInMemory(path)).toBe(64);
    } finally {
      closeSync(fd);
    }
  });
});
