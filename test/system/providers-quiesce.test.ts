// The quiesce gate on a real loop device: writes that reach the device (fsync) keep it waiting,
// and it opens `idle` after the writer stops; a writer that does not stop makes it time out.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { command, describeWith, linux, root } from '../support/requirements.ts';
import { blockStatPath, waitForQuiet } from '../../src/providers/quiesce.ts';
import { resolveVolume } from '../../src/providers/volume-info.ts';
import { createLoopFilesystem, type LoopFilesystem } from '../providers/support/loop-filesystem.ts';

/** Writes 64 KiB with fsync every 100 ms, `times` times (forever when 0). */
function startWriter(file: string, times: number): ChildProcess {
  const script = `i=0; while [ "$2" -eq 0 ] || [ $i -lt "$2" ]; do dd if=/dev/urandom of="$1" bs=64k count=1 conv=fsync 2>/dev/null; sleep 0.1; i=$((i+1)); done`;
  return spawn('sh', ['-c', script, 'sh', file, String(times)], { stdio: 'ignore' });
}

describeWith('quiesce gate on a loop device', [linux(), root(), command('mkfs.ext4'), command('losetup')], () => {
  let fs: LoopFilesystem;
  let device: string;
  const writers: ChildProcess[] = [];

  beforeAll(async () => {
    fs = createLoopFilesystem('ext4', 64);
    device = (await resolveVolume(fs.mountPoint)).device!;
  });
  afterEach(() => {
    for (const writer of writers.splice(0)) writer.kill('SIGKILL');
  });
  afterAll(() => fs?.destroy());

  it('maps a device, or a link to it, to its counters in /sys', async () => {
    const name = device.replace('/dev/', '');
    expect(await blockStatPath(device)).toBe(`/sys/class/block/${name}/stat`);
    const dir = mkdtempSync(join(tmpdir(), 'stillpoint-link-'));
    try {
      symlinkSync(device, join(dir, 'by-label'));
      expect(await blockStatPath(join(dir, 'by-label'))).toBe(`/sys/class/block/${name}/stat`);
    } finally {
      rmSync(dir, { recursive: true });
    }
    expect(existsSync(await blockStatPath(device))).toBe(true);
    // A ZFS dataset stands where a device would for other filesystems: a clear refusal.
    await expect(blockStatPath('tank/data')).rejects.toThrow('the quiesce gate cannot watch tank/data: it needs the block device behind each volume, and tank/data does not exist');
    await expect(blockStatPath('/dev/null')).rejects.toThrow('/dev/null has no /sys/class/block/null/stat');
  });

  it('waits while the device is written to and opens `idle` after the writer stops', async () => {
    const writer = startWriter(join(fs.mountPoint, 'busy'), 15);
    writers.push(writer);
    let writerStoppedAt = 0;
    writer.once('exit', () => (writerStoppedAt = performance.now()));
    const waiting: number[] = [];
    const result = await waitForQuiet([device, device], 700, 20_000, new AbortController().signal, (quietFor) => waiting.push(quietFor));
    const openedAt = performance.now();
    expect(result.quiet).toBe(true);
    expect(writerStoppedAt).toBeGreaterThan(0);
    expect(openedAt - writerStoppedAt).toBeGreaterThanOrEqual(500);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((quietFor) => quietFor < 700)).toBe(true);
  });

  it('gives up after `within` while a writer keeps writing, saying how long it was quiet', async () => {
    writers.push(startWriter(join(fs.mountPoint, 'forever'), 0));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = await waitForQuiet([device], 1000, 1500, new AbortController().signal, () => {});
    expect(result.quiet).toBe(false);
    expect(result.waitedMs).toBeGreaterThanOrEqual(1500);
    expect(result.waitedMs).toBeLessThan(3000);
    expect(!result.quiet && result.quietForMs).toBeLessThan(1000);
  });

  it('stops waiting when the run is cancelled', async () => {
    writers.push(startWriter(join(fs.mountPoint, 'cancelled'), 0));
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new Error('cancelled by SIGTERM')), 300);
    await expect(waitForQuiet([device], 1000, 10_000, cancel.signal, () => {})).rejects.toThrow('cancelled by SIGTERM');
  });
});
