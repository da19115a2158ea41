// The environment of every hook and `command` writer step (LANGUAGE.md §7).
//
// `hook-env r-drive` adds the variables R-Drive Image passes to its AUX applications, so that
// AUX scripts written for it keep working. What we followed: R-Drive Image's help, "Creating
// Consistent Point-in-Time Backups" (drive-image.com/DriveImage_Help/creating_consistent_point-in-t.htm),
// describes two kinds of AUX applications: "Backup AUX applications", run before and after
// the whole backup, and "Snapshot AUX applications", run before and after the snapshot is
// taken. We could not find, in any source available to us, the page that lists the
// variables' exact values, so these are our documented choices:
//   - R_CALLBACK_STAGE is BEFORE_BACKUP / AFTER_BACKUP for the backup AUX calls and
//     BEFORE_SNAPSHOT / AFTER_SNAPSHOT for the snapshot AUX calls (LANGUAGE.md §7's names).
//     Stages R-Drive Image has no AUX call for (during-freeze, on-error) get no R_* variables.
//   - Calling order: BEFORE_BACKUP once per job; then, for each snapshot set in turn,
//     BEFORE_SNAPSHOT and AFTER_SNAPSHOT with R_VOLUME_NAMES/R_VOLUME_GUIDS naming that set's
//     volumes only; AFTER_BACKUP once, naming all of the job's volumes. The engine calls
//     runHooks in that order; this module only fills in the values.
//   - R_CALLBACK_UID is one id for all callbacks of one job run (the run id), so a script can
//     pair its BEFORE_* and AFTER_* calls.
//   - R_VOLUME_NAMES / R_VOLUME_GUIDS are comma-separated, in the same order, like
//     STILLPOINT_VOLUMES / STILLPOINT_VOLUME_IDS.

import type { HookStage } from '../plan/types.ts';
import type { RunStatus } from '../events/types.ts';

export interface HookEnvInput {
  runId: string;
  job: string;
  stage: HookStage;
  /** The set's volumes (snapshot stages) or the job's (backup stages). */
  volumes: string[];
  /** Filesystem UUIDs (Linux) or volume GUIDs (Windows), same order as volumes. */
  volumeIds: string[];
  /** Readable snapshot paths, from after-snapshot on. */
  snapshotPaths?: string[];
  status?: RunStatus;
  error?: string;
  hookEnv: 'stillpoint' | 'r-drive';
}

/** `before-backup` → `BEFORE_BACKUP`. */
export function stageVariable(stage: HookStage): string {
  return stage.replaceAll('-', '_').toUpperCase();
}

/** The stages that R-Drive Image calls its AUX applications in. */
const R_DRIVE_STAGES: ReadonlySet<HookStage> = new Set(['before-backup', 'after-backup', 'before-snapshot', 'after-snapshot']);

/** STILLPOINT_STATUS has three values (§7): a cancelled run has failed. */
function statusVariable(status: RunStatus): string {
  return status === 'cancelled' ? 'failed' : status;
}

export function hookEnvironment(input: HookEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    STILLPOINT_RUN_ID: input.runId,
    STILLPOINT_JOB: input.job,
    STILLPOINT_STAGE: stageVariable(input.stage),
    STILLPOINT_VOLUMES: input.volumes.join(','),
    STILLPOINT_VOLUME_IDS: input.volumeIds.join(','),
  };
  if (input.snapshotPaths !== undefined) env.STILLPOINT_SNAPSHOT_PATHS = input.snapshotPaths.join(',');
  if (input.status !== undefined && (input.stage === 'after-backup' || input.stage === 'on-error')) {
    env.STILLPOINT_STATUS = statusVariable(input.status);
  }
  if (input.error !== undefined && input.stage === 'on-error') env.STILLPOINT_ERROR = input.error;
  if (input.hookEnv === 'r-drive' && R_DRIVE_STAGES.has(input.stage)) {
    env.R_CALLBACK_UID = input.runId;
    env.R_CALLBACK_STAGE = stageVariable(input.stage);
    env.R_VOLUME_NAMES = input.volumes.join(',');
    env.R_VOLUME_GUIDS = input.volumeIds.join(',');
  }
  return env;
}
