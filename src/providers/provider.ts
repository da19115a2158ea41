// What the engine asks of a snapshot provider. One file or folder per provider implements it;
// the registry in src/providers/index.ts maps a ProviderName to its implementation lazily.

import type { BackupType, HookPlan, ProviderName, ProviderPlan } from '../plan/types.ts';
import type { SnapshotInfo, WriterState } from '../events/types.ts';
import type { BackupStamp } from '../writers/writer.ts';

/** What the engine knows about a volume before choosing a provider for it. */
export interface VolumeInfo {
  /** As written in the script. */
  name: string;
  /** Absolute path of the volume root (on Windows, "C:\\"). */
  root: string;
  /** Filesystem type, e.g. "btrfs", "ext4", "ntfs"; undefined when unknown. */
  fsType?: string;
  /** Filesystem UUID or volume GUID. */
  volumeId?: string;
  /** The block device behind it, e.g. "/dev/loop3". */
  device?: string;
  /** The mount point that contains root. */
  mountPoint?: string;
}

export type Availability = { available: true } | { available: false; reason: string };

export interface SnapshotContext {
  runId: string;
  job: string;
  /** Aborted when the run is cancelled or the snapshot-timeout elapses. */
  signal: AbortSignal;
  freezeTimeoutMs: number;
  snapshotTimeoutMs: number;
  /** The job's hooks of stage `during-freeze`; fsfreeze passes them to runDuringFreezeHooks. */
  duringFreezeHooks?: HookPlan[];
  /** Runs the `during-freeze` hooks (fsfreeze only), while the filesystem is frozen. */
  runDuringFreezeHooks(hooks: HookPlan[]): Promise<void>;
  /** Reports a non-fatal problem. */
  warn(message: string, detail?: string): void;
  /** The job's backup-type (VSS passes it to its writers); undefined means full. */
  backupType?: BackupType;
  /** The stamp of the previous backup, for incremental and differential (VSS writers). */
  previousStamp?: BackupStamp;
  /** Reports the state of a writer the provider drives itself (VSS writers): a writer.state event. */
  writerState?(update: { writer: string; kind: string; state: WriterState; step: string; error?: string }): void;
}

/**
 * A snapshot set that exists. Releasing it is idempotent and never throws for a set that is
 * already gone; `await using` in the engine guarantees it runs.
 */
export interface SnapshotSet extends AsyncDisposable {
  id: string;
  provider: ProviderName;
  snapshots: SnapshotInfo[];
  /**
   * Tells the provider's own writers whether the copy succeeded (VSS: SetBackupSucceeded and
   * BackupComplete), in stage 7, before release. A set released without it is treated as a
   * backup that did not complete (VSS: AbortBackup).
   */
  backupComplete?(succeeded: boolean): Promise<void>;
  release(): Promise<void>;
}

export interface SnapshotProvider {
  name: ProviderName;
  /** Whether this provider can snapshot this volume on this machine, and if not, why. */
  probe(volume: VolumeInfo, options: ProviderPlan): Promise<Availability>;
  /** Creates one set covering every volume at one instant. */
  createSnapshotSet(volumes: VolumeInfo[], options: ProviderPlan, context: SnapshotContext): Promise<SnapshotSet>;
  /** Finds and releases snapshots that carry Stillpoint's marker, left by a killed run. */
  cleanupLeftovers(volumes: VolumeInfo[], options: ProviderPlan, job: string): Promise<string[]>;
}
