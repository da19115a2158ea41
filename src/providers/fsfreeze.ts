// The `fsfreeze` provider: FIFREEZE every mount point of the set, run the `during-freeze` hooks
// (a cloud-disk or SAN snapshot, say), FITHAW. There is no snapshot for Stillpoint to read: the
// copy then reads the live roots. The freeze is bounded by freeze-timeout twice over: here
// (hooks that run longer are abandoned and the filesystems thawed, failing the set) and by the
// watchdog process, which thaws even when this process is killed or stuck.

import { thawFilesystem, freezeFilesystem, openDirectory, SystemCallError, type DirectoryHandle } from './linux/ioctl.ts';
import { needsLinuxRoot } from './linux/platform.ts';
import { startWatchdog } from './watchdog.ts';
import { liveSnapshotSet } from './copy.ts';
import type { SnapshotContext, SnapshotProvider, VolumeInfo } from './provider.ts';

/** The watchdog thaws at freeze-timeout; this process gives up on the hooks this much earlier so
 * that, when it is healthy, it is the one that thaws and reports. */
const THAW_MARGIN_MS = 250;

/** Filesystems whose driver implements freeze (FIFREEZE is EOPNOTSUPP elsewhere). */
const FREEZABLE = new Set(['ext3', 'ext4', 'xfs', 'btrfs', 'f2fs', 'jfs', 'reiserfs', 'gfs2', 'nilfs2', 'ocfs2', 'bcachefs']);

export const fsfreezeProvider: SnapshotProvider = {
  name: 'fsfreeze',

  async probe(volume) {
    const platform = needsLinuxRoot('fsfreeze', 'freezing a filesystem (FIFREEZE) needs CAP_SYS_ADMIN');
    if (platform) return platform;
    if (!volume.mountPoint) return { available: false, reason: `the mount point of ${volume.root} is unknown` };
    if (volume.mountPoint === '/') {
      return {
        available: false,
        reason: 'freezing the root filesystem would stop Stillpoint itself, its hooks and the system log until the thaw',
      };
    }
    if (!volume.fsType || !FREEZABLE.has(volume.fsType)) {
      return { available: false, reason: `${volume.mountPoint} is ${volume.fsType ?? 'of an unknown type'}, which cannot be frozen (freezable: ${[...FREEZABLE].join(', ')})` };
    }
    return { available: true };
  },

  async createSnapshotSet(volumes, _options, context) {
    const mountPoints = [...new Set(volumes.map((volume) => mountPointOf(volume)))].sort();
    await freezeWhileHooksRun(mountPoints, context);
    return liveSnapshotSet('fsfreeze', volumes, context.job, context.runId);
  },

  cleanupLeftovers: async () => [],
};

function mountPointOf(volume: VolumeInfo): string {
  if (!volume.mountPoint) throw new Error(`the mount point of ${volume.root} is unknown: fsfreeze cannot freeze it`);
  return volume.mountPoint;
}

async function freezeWhileHooksRun(mountPoints: string[], context: SnapshotContext): Promise<void> {
  context.signal.throwIfAborted();
  const handles: DirectoryHandle[] = [];
  try {
    for (const mountPoint of mountPoints) handles.push(await openDirectory(mountPoint));
    await using watchdog = await startWatchdog(
      mountPoints.map((mountPoint) => ({ kind: 'thaw', mountPoint })),
      context.freezeTimeoutMs,
    );
    const deadline = performance.now() + context.freezeTimeoutMs - THAW_MARGIN_MS;
    const frozen: DirectoryHandle[] = [];
    let hooksError: unknown;
    try {
      for (const handle of handles) {
        await freezeFilesystem(handle).catch((error: unknown) => {
          if (error instanceof SystemCallError && error.code === 'EBUSY') {
            throw new Error(`${handle.path} is already frozen by someone else (fsfreeze --unfreeze ${handle.path} thaws it); Stillpoint did not freeze or thaw it`);
          }
          throw error;
        });
        frozen.push(handle);
      }
      await withinFreezeWindow(context.runDuringFreezeHooks(context.duringFreezeHooks ?? []), deadline, context);
    } catch (error) {
      hooksError = error;
    } finally {
      const thawed = await thawAll(frozen.reverse());
      if (thawed.some((wasFrozen) => !wasFrozen) && !hooksError) {
        // Someone thawed before us: only the watchdog does that, at the deadline.
        hooksError = new Error(`the freeze outlived freeze-timeout (${context.freezeTimeoutMs} ms): the watchdog thawed ${mountPoints.join(', ')}`);
      }
    }
    await watchdog.disarm();
    if (hooksError) throw hooksError;
  } finally {
    for (const handle of handles) handle.close();
  }
}

/** Thaws each filesystem; whether each was still frozen. Tries them all even when one fails. */
async function thawAll(frozen: DirectoryHandle[]): Promise<boolean[]> {
  const results: boolean[] = [];
  const errors: unknown[] = [];
  for (const handle of frozen) {
    try {
      results.push(await thawFilesystem(handle));
    } catch (error) {
      errors.push(error);
    }
  }
  // Thrown before the watchdog is disarmed: disposing it then makes it thaw at once.
  if (errors.length) throw new AggregateError(errors, `could not thaw: ${errors.map(String).join('; ')}; the watchdog was told to thaw`);
  return results;
}

/** Waits for the hooks, but no longer than freeze-timeout and not past a cancellation. */
async function withinFreezeWindow(hooks: Promise<void>, deadline: number, context: SnapshotContext): Promise<void> {
  hooks.catch(() => {}); // still observed below; a late rejection must not be unhandled
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      hooks,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the during-freeze hooks did not finish within freeze-timeout (${context.freezeTimeoutMs} ms): the filesystems were thawed and the set failed`)),
          Math.max(0, deadline - performance.now()),
        );
        onAbort = () => reject(context.signal.reason);
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) context.signal.removeEventListener('abort', onAbort);
  }
}

