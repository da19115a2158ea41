// A real filesystem on a loop device, for system tests: a sparse file in a fresh temp dir,
// `losetup -f --show`, mkfs, mount. Disposal always thaws (last resort: a test that failed
// mid-freeze must not leave a frozen filesystem behind), unmounts, detaches and deletes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LoopFsType = 'btrfs' | 'xfs' | 'ext4';

export interface LoopFilesystem extends Disposable {
  device: string;
  /** The file behind the loop device: what has reached the "disk". */
  image: string;
  mountPoint: string;
  fsType: LoopFsType;
  /** Unmounts, detaches the loop device and removes the files. Safe to call twice. */
  destroy(): void;
}

const MKFS: Record<LoopFsType, string[]> = {
  btrfs: ['mkfs.btrfs', '-q'],
  xfs: ['mkfs.xfs', '-q'],
  ext4: ['mkfs.ext4', '-q', '-F'],
};
/** Options that make mkfs initialise the whole filesystem at once instead of in the background. */
const EAGER_INIT: Record<LoopFsType, string[]> = {
  btrfs: [],
  xfs: [],
  ext4: ['-E', 'lazy_itable_init=0,lazy_journal_init=0'],
};

function quiet(program: string, args: string[]): void {
  try {
    execFileSync(program, args, { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Cleanup keeps going: each step is tried whatever the one before did.
  }
}

export interface LoopOptions {
  /**
   * Keeps the image on a tmpfs of this size: a disk smaller than it claims, whose write-back
   * fails once the tmpfs is full, as a failing disk's does. (mkfs then initialises everything
   * at once, so that no background initialisation runs into the full tmpfs.)
   */
  backingMiB?: number;
  /** The folder its files go in; the OS temp folder by default. */
  under?: string;
  /**
   * For benchmarks: the loop device reads and writes the image directly (`losetup
   * --direct-io=on`), not through the page cache of the image file as well, so a flushed
   * filesystem is on the disk and dropped caches are dropped once; and mkfs initialises
   * everything at once, so no background initialisation writes while something is timed.
   */
  forTiming?: boolean;
}

export function createLoopFilesystem(fsType: LoopFsType, sizeMiB = 320, options: LoopOptions = {}): LoopFilesystem {
  const dir = mkdtempSync(join(options.under ?? tmpdir(), `stillpoint-${fsType}-`));
  const backing = join(dir, 'backing');
  const image = join(backing, 'image');
  const mountPoint = join(dir, 'mnt');
  mkdirSync(mountPoint);
  mkdirSync(backing);
  let device: string | undefined;
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    quiet('fsfreeze', ['--unfreeze', mountPoint]);
    quiet('umount', [mountPoint]);
    quiet('umount', ['--lazy', mountPoint]);
    if (device) quiet('losetup', ['-d', device]);
    if (options.backingMiB !== undefined) quiet('umount', ['--lazy', backing]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.backingMiB !== undefined) execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.backingMiB}m`, 'stillpoint-test', backing]);
    execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
    const directIo = options.forTiming ? ['--direct-io=on'] : [];
    device = execFileSync('losetup', ['-f', '--show', ...directIo, image], { encoding: 'utf8' }).trim();
    const [mkfs, ...mkfsOptions] = MKFS[fsType];
    const eager = options.backingMiB !== undefined || options.forTiming ? EAGER_INIT[fsType] : [];
    execFileSync(mkfs!, [...mkfsOptions, ...eager, device], { stdio: 'ignore' });
    execFileSync('mount', [device, mountPoint]);
  } catch (error) {
    destroy();
    throw error;
  }
  return { device, image, mountPoint, fsType, destroy, [Symbol.dispose]: destroy };
}
