// The event stream: the contract between the engine and every renderer (TUI, plain, NDJSON,
// report, metrics). Neither side imports the other; both import this. Its JSON Schema is
// events.schema.json beside this file (EVENT_SCHEMA_VERSION below is its version), and the
// NDJSON renderer prints exactly these objects, one per line. A renderer must be able to draw
// everything it draws from these events alone, so that a remote viewer could do the same.
//
// Every string here is already redacted: the engine's emitter scrubs secret values before an
// event leaves it.

export const EVENT_SCHEMA_VERSION = 1;

/** The lifecycle stages of LANGUAGE.md §5, in order. */
export const STAGES = [
  'plan',
  'before-backup',
  'prepare',
  'quiesce',
  'snapshot',
  'copy',
  'backup-complete',
  'release',
  'retention',
  'after-backup',
] as const;
export type Stage = (typeof STAGES)[number];

export type RunStatus = 'succeeded' | 'partial' | 'failed' | 'cancelled';
export type StageStatus = 'succeeded' | 'failed' | 'skipped';
export type WriterState = 'stable' | 'preparing' | 'frozen' | 'thawed' | 'failed';
export type SkipReason = 'unreadable' | 'locked' | 'changed-during-copy';

export interface EventBase {
  /** Event schema version. */
  v: typeof EVENT_SCHEMA_VERSION;
  /** 1, 2, 3 ... within a run. */
  seq: number;
  /** ISO-8601 UTC. */
  time: string;
  runId: string;
  /** The job the event belongs to; absent for run-wide events. */
  job?: string;
}

export interface SnapshotInfo {
  volume: string;
  /** Filesystem UUID (Linux) or volume GUID (Windows) when known. */
  volumeId?: string;
  /** Where the copy reads the point-in-time data. */
  snapshotPath: string;
}

export interface WriterFreeze {
  writer: string;
  frozenMs: number;
}

export type StillpointEventBody =
  | { type: 'run.started'; script: string; jobs: string[]; dryRun: boolean; platform: string; hostname: string }
  | { type: 'job.started'; volumes: string[]; providers: string[]; writers: Array<{ name: string; kind: string }>; targets: Array<{ kind: string; location: string }> }
  | { type: 'stage.started'; stage: Stage }
  | { type: 'stage.finished'; stage: Stage; status: StageStatus; durationMs: number; error?: string }
  | { type: 'provider.skipped'; provider: string; volumes: string[]; reason: string }
  | { type: 'provider.chosen'; provider: string; volumes: string[]; setId: string }
  | { type: 'provider.failed'; provider: string; volumes: string[]; setId: string; error: string; nextProvider?: string }
  | { type: 'snapshot-set.created'; setId: string; provider: string; snapshots: SnapshotInfo[]; durationMs: number }
  | { type: 'snapshot-set.released'; setId: string; provider: string; error?: string }
  | { type: 'freeze.started'; setId: string; budgetMs: number; writers: string[] }
  | { type: 'freeze.ended'; setId: string; windowMs: number; writers: WriterFreeze[]; timedOut: boolean }
  | { type: 'writer.state'; writer: string; kind: string; state: WriterState; step: string; error?: string }
  | { type: 'quiesce.waiting'; idleMs: number; withinMs: number; quietForMs: number }
  | { type: 'hook.started'; hookId: string; stage: string; action: string; setId?: string; origin: string }
  | { type: 'hook.output'; hookId: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'hook.finished'; hookId: string; stage: string; exitCode: number | null; signal?: string; durationMs: number; status: 'succeeded' | 'failed' | 'allowed-failure' | 'timed-out' | 'stalled'; error?: string }
  | { type: 'copy.started'; target: string; kind: string; totalBytes?: number; totalFiles?: number }
  /**
   * totalBytes/totalFiles: what the whole copy handles, once known (the tree target's scan has
   * met its walk); until then, from the scan's first count, scannedBytes/scannedFiles: what the
   * scan and the walk have counted so far; and in a run after an earlier snapshot,
   * estimatedBytes/estimatedFiles: what the copy has come to and what the earlier snapshot has
   * beyond it.
   */
  | { type: 'copy.progress'; target: string; bytesDone: number; filesDone: number; totalBytes?: number; totalFiles?: number; scannedBytes?: number; scannedFiles?: number; estimatedBytes?: number; estimatedFiles?: number }
  | { type: 'copy.finished'; target: string; kind: string; status: 'succeeded' | 'partial' | 'failed'; bytes: number; files: number; skipped: number; snapshotId?: string; location?: string; error?: string; details?: Record<string, string | number> }
  | { type: 'file.skipped'; path: string; reason: SkipReason; detail: string }
  | { type: 'retention.pruned'; target: string; removed: string[]; kept: string[] }
  | { type: 'warning'; message: string; detail?: string }
  /** A dry run (`run --dry-run`): what the stage would do; nothing was done. */
  | { type: 'dry-run.step'; stage: Stage; action: string; setId?: string }
  | { type: 'job.finished'; status: RunStatus; exitCode: number; durationMs: number; error?: string; failedStage?: Stage; bytes: number; files: number; skipped: number }
  | { type: 'run.finished'; status: RunStatus; exitCode: number; durationMs: number; reportPath?: string };

export type StillpointEvent = EventBase & StillpointEventBody;
export type EventType = StillpointEventBody['type'];

/** Where the engine sends its events. A renderer is one of these. */
export interface EventSink {
  emit(event: StillpointEvent): void;
}
