// A real filesystem on a loop device, for system tests: a sparse file in a fresh temp dir,
// `losetup -f --show`, mkfs, mount. Disposal always thaws (last resort: a test that failed
// mid-freeze must not leave a frozen filesystem behind), unmounts, detaches and deletes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LoopFsType = 'btrfs' | 'xfs' | 'ext4';

export interface LoopFilesystem {
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

function quiet(program: string, args: string[]): void {
  try {
    execFileSync(program, args, { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Cleanup keeps going: each step is tried whatever the one before did.
  }
}

export function createLoopFilesystem(fsType: LoopFsType, sizeMiB = 320): LoopFilesystem {
  const dir = mkdtempSync(join(tmpdir(), `stillpoint-${fsType}-`));
  const image = join(dir, 'image');
  const mountPoint = join(dir, 'mnt');
  mkdirSync(mountPoint);
  execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
  const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    quiet('fsfreeze', ['--unfreeze', mountPoint]);
    quiet('umount', [mountPoint]);
    quiet('umount', ['--lazy', mountPoint]);
    quiet('losetup', ['-d', device]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [mkfs, ...options] = MKFS[fsType];
    execFileSync(mkfs!, [...options, device], { stdio: 'ignore' });
    execFileSync('mount', [device, mountPoint]);
  } catch (error) {
    destroy();
    throw error;
  }
  return { device, image, mountPoint, fsType, destroy };
}
