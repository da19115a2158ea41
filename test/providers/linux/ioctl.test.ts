// The request numbers are computed from the _IOC macros; these are the values the kernel
// headers give on x86-64 and arm64 (e.g. `printf("%lx", FIFREEZE)` with <linux/fs.h>).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BTRFS_IOC_SNAP_CREATE_V2,
  BTRFS_IOC_SNAP_DESTROY,
  FIFREEZE,
  FITHAW,
  ioc,
  openDirectory,
  SystemCallError,
} from '../../../src/providers/linux/ioctl.ts';
import { linux } from '../../support/requirements.ts';

describe('ioctl request numbers', () => {
  it('match the kernel headers', () => {
    expect(FIFREEZE).toBe(0xc0045877);
    expect(FITHAW).toBe(0xc0045878);
    expect(BTRFS_IOC_SNAP_CREATE_V2).toBe(0x50009417);
    expect(BTRFS_IOC_SNAP_DESTROY).toBe(0x5000940f);
    // BTRFS_IOC_SUBVOL_GETFLAGS = _IOR(0x94, 25, __u64), a read-direction example.
    expect(ioc('read', 0x94, 25, 8)).toBe(0x80089419);
  });

  it('refuses an argument too large for the size field', () => {
    expect(() => ioc('write', 0x94, 1, 1 << 14)).toThrow(/does not fit/);
  });
});

describe.runIf(linux().ok)('libc through koffi', () => {
  it('opens and closes a directory, and names errno and the path when open fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stillpoint-ioctl-'));
    try {
      const handle = await openDirectory(dir);
      expect(handle.fd).toBeGreaterThan(2);
      handle.close();
      handle.close();
      const missing = join(dir, 'missing');
      const error = await openDirectory(missing).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SystemCallError);
      expect((error as SystemCallError).code).toBe('ENOENT');
      expect((error as Error).message).toBe(`open on ${missing} failed: No such file or directory (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
