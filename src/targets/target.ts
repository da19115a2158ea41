// What the engine asks of a target: take the readable snapshot paths of one run and store
// them; later, apply retention. One folder per kind implements it.

import type { SnapshotInfo, SkipReason } from '../events/types.ts';
import type { KeepPlan } from '../plan/types.ts';

export interface CopySource {
  /** The volume as written in the script. */
  volume: string;
  /** The volume's real root: what paths are relative to in the backup. */
  root: string;
  /** Where to read from (a snapshot path, or the live root for `copy`/`fsfreeze`). */
  readPath: string;
  include: string[];
  exclude: string[];
  excludeSystemFiles: boolean;
  oneFileSystem: boolean;
  /**
   * Set when the copy reads live files (the `copy` provider, LANGUAGE.md §6): a file that
   * cannot be opened or changes while read is set aside and retried `retries` times,
   * `retryDelayMs` apart; what is still missing is skipped as `locked` or
   * `changed-during-copy` and the result is partial.
   */
  live?: { retries: number; retryDelayMs: number };
}

export interface CopyProgress {
  bytesDone: number;
  filesDone: number;
  /** What the whole copy handles, once known. */
  totalBytes?: number;
  totalFiles?: number;
  /** Until the totals are known: what the scan that counts them has counted so far. */
  scannedBytes?: number;
  scannedFiles?: number;
  /** Until the totals are known, after a previous snapshot: an estimate of them (the tree target's). */
  estimatedBytes?: number;
  estimatedFiles?: number;
}

export interface TargetContext {
  runId: string;
  job: string;
  hostname: string;
  started: Date;
  signal: AbortSignal;
  ignoreReadErrors: boolean;
  snapshots: SnapshotInfo[];
  env: Record<string, string>;
  progress(progress: CopyProgress): void;
  skipped(path: string, reason: SkipReason, detail: string): void;
  warn(message: string, detail?: string): void;
  output(stream: 'stdout' | 'stderr', line: string): void;
}

export interface TargetResult {
  status: 'succeeded' | 'partial';
  bytes: number;
  files: number;
  skipped: number;
  /** The id of what was written (a tree snapshot's directory name, a restic snapshot id). */
  snapshotId?: string;
  location?: string;
  details?: Record<string, string | number>;
}

export interface Target {
  readonly kind: string;
  /** Human-readable location, already redacted. */
  readonly location: string;
  /** Writes one backup. Must leave nothing that looks complete when it fails. */
  write(sources: CopySource[], context: TargetContext): Promise<TargetResult>;
  /** Applies `keep`, after a successful run only; never removes the newest complete backup. */
  prune(keep: KeepPlan, context: TargetContext): Promise<{ removed: string[]; kept: string[] }>;
}
