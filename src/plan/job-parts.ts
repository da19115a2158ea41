// What one job or `defaults` block says, before the blocks are merged into a JobPlan.

import type { SourceRange } from '../language/diagnostic.ts';
import type { HookPlan, JobPlan, MonitorPlan, ProviderPlan, QuiescePlan, TargetPlan, VolumePlan, WriterPlan } from './types.ts';

/**
 * A target, hook or writer as evaluated, before the job's `stall-timeout` (which may come
 * later, or from `defaults`) fills in the stall rule it did not set itself.
 */
export type Draft<T> = T extends unknown ? Omit<T, 'stallTimeoutMs'> & { stallTimeoutMs?: number } : never;

/** The draft with the job's stall rule where it set none of its own. */
export function withStallRule<T>(draft: Draft<T>, jobStallTimeoutMs: number): T {
  return ('stallTimeoutMs' in draft && draft.stallTimeoutMs !== undefined ? draft : { ...draft, stallTimeoutMs: jobStallTimeoutMs }) as T;
}

export interface Ranged<T> {
  plan: T;
  range: SourceRange;
}

/** What one job or defaults block says; merged into a JobPlan by the catalog's merge rules. */
export interface JobParts {
  volumes: Ranged<VolumePlan>[];
  exclude: string[];
  include: string[];
  excludeSystemFiles?: boolean;
  oneFileSystem?: boolean;
  ignoreReadErrors?: boolean;
  backupType?: JobPlan['backupType'];
  providers?: Ranged<ProviderPlan>[];
  quiesce?: QuiescePlan;
  freezeTimeoutMs?: number;
  snapshotTimeoutMs?: number;
  stallTimeoutMs?: number;
  writers: Ranged<Draft<WriterPlan>>[];
  hooks: Ranged<Draft<HookPlan>>[];
  hookEnv?: JobPlan['hookEnv'];
  targets: Draft<TargetPlan>[];
  schedules?: string[];
  monitors: MonitorPlan[];
}

export function emptyParts(): JobParts {
  return { volumes: [], exclude: [], include: [], writers: [], hooks: [], targets: [], monitors: [] };
}

/** `later` on top of `earlier`: replace-statements are taken from `later` when it has them, lists append. */
export function mergeParts(earlier: JobParts, later: JobParts): JobParts {
  return {
    volumes: [...earlier.volumes, ...later.volumes],
    exclude: [...earlier.exclude, ...later.exclude],
    include: [...earlier.include, ...later.include],
    excludeSystemFiles: later.excludeSystemFiles ?? earlier.excludeSystemFiles,
    oneFileSystem: later.oneFileSystem ?? earlier.oneFileSystem,
    ignoreReadErrors: later.ignoreReadErrors ?? earlier.ignoreReadErrors,
    backupType: later.backupType ?? earlier.backupType,
    providers: later.providers ?? earlier.providers,
    quiesce: later.quiesce ?? earlier.quiesce,
    freezeTimeoutMs: later.freezeTimeoutMs ?? earlier.freezeTimeoutMs,
    snapshotTimeoutMs: later.snapshotTimeoutMs ?? earlier.snapshotTimeoutMs,
    stallTimeoutMs: later.stallTimeoutMs ?? earlier.stallTimeoutMs,
    writers: [...earlier.writers, ...later.writers],
    hooks: [...earlier.hooks, ...later.hooks],
    hookEnv: later.hookEnv ?? earlier.hookEnv,
    targets: [...earlier.targets, ...later.targets],
    schedules: later.schedules ?? earlier.schedules,
    monitors: [...earlier.monitors, ...later.monitors],
  };
}
