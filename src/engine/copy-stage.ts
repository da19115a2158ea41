// Stage 6, copy, and stage 9, retention (LANGUAGE.md §5): every target reads the snapshot
// paths (and the writers' artifacts), then prunes by its `keep` rules after a successful run.

import { readdir } from 'node:fs/promises';
import type { SnapshotInfo, StageStatus } from '../events/types.ts';
import { messageOf } from '../base/errors.ts';
import { shown } from '../base/secret.ts';
import type { TargetPlan } from '../plan/types.ts';
import { copyExcludes } from '../providers/index.ts';
import type { CopySource, Target, TargetContext } from '../targets/target.ts';
import { hookEnvironment } from './hook-env.ts';
import type { JobRun } from './lifecycle.ts';

export async function copyStage(run: JobRun): Promise<StageStatus> {
  if (run.dryRun) {
    for (const target of run.job.targets) run.would('copy', `copy the snapshot paths to ${target.kind} ${targetLocation(target)}`);
    return 'skipped';
  }
  const sources = [...copySources(run), ...(await artifactSource(run))];
  const snapshots = run.sets.held.flatMap((h) => h.set.snapshots);
  const failures: string[] = [];
  for (const { target } of run.targets) {
    if (run.options.signal.aborted) break;
    try {
      await copyTo(run, target, sources, snapshots);
    } catch (error) {
      if (run.options.signal.aborted) throw error;
      failures.push(`${target.kind} ${target.location}: ${messageOf(error)}`);
    }
  }
  run.options.signal.throwIfAborted();
  if (failures.length > 0) throw new Error(`copy failed for ${failures.join('; ')}`);
  return 'succeeded';
}

async function copyTo(run: JobRun, target: Target, sources: CopySource[], snapshots: SnapshotInfo[]): Promise<void> {
  const counts = { skipped: 0 };
  run.emit({ type: 'copy.started', target: target.location, kind: target.kind });
  const context = targetContext(run, target, snapshots, counts);
  try {
    const result = await target.write(sources, context);
    run.totals.bytes += result.bytes;
    run.totals.files += result.files;
    run.totals.skipped += result.skipped;
    if (result.status === 'partial' && run.status === 'succeeded') run.status = 'partial';
    run.emit({
      type: 'copy.finished',
      target: target.location,
      kind: target.kind,
      status: result.status,
      bytes: result.bytes,
      files: result.files,
      skipped: result.skipped,
      ...(result.snapshotId === undefined ? {} : { snapshotId: result.snapshotId }),
      ...(result.location === undefined ? {} : { location: result.location }),
      ...(result.details === undefined ? {} : { details: result.details }),
    });
  } catch (error) {
    run.emit({
      type: 'copy.finished',
      target: target.location,
      kind: target.kind,
      status: 'failed',
      bytes: 0,
      files: 0,
      skipped: counts.skipped,
      error: run.errorText(error),
    });
    throw error;
  }
}

/**
 * What each target reads: every volume's snapshot path. The `copy` provider's "snapshot" is
 * the live volume, read in two phases; `fsfreeze` freezes for its during-freeze hooks (a
 * cloud-disk snapshot, say) and then thaws, so the copy reads the live volume too: the
 * point-in-time copy is the one the during-freeze hook made.
 */
function copySources(run: JobRun): CopySource[] {
  return run.job.volumes.map((plan) => {
    const volume = run.volumes.find((v) => v.name === plan.path)!;
    const held = run.sets.held.find((h) => h.set.snapshots.some((snapshot) => snapshot.volume === volume.name));
    const snapshot = held?.set.snapshots.find((s) => s.volume === volume.name);
    if (!held || !snapshot) throw new Error(`no snapshot of volume "${volume.name}" exists; cannot copy it`);
    const providerPlan = held.planned.options;
    const live = providerPlan.name === 'copy' || providerPlan.name === 'fsfreeze';
    return {
      volume: volume.name,
      root: volume.root,
      readPath: live ? volume.root : snapshot.snapshotPath,
      include: [...plan.include, ...run.job.include],
      exclude: [...plan.exclude, ...run.job.exclude, ...copyExcludes(providerPlan)],
      excludeSystemFiles: run.job.excludeSystemFiles,
      oneFileSystem: run.job.oneFileSystem,
      ...(providerPlan.name === 'copy' ? { live: { retries: providerPlan.retries, retryDelayMs: providerPlan.retryDelayMs } } : {}),
    };
  });
}

/** Writer artifacts (a PostgreSQL backup label, say) travel with the backup as one more source. */
async function artifactSource(run: JobRun): Promise<CopySource[]> {
  const root = run.artifactDir();
  const entries = await readdir(root).catch(() => []);
  if (entries.length === 0) return [];
  return [{ volume: 'stillpoint-artifacts', root, readPath: root, include: [], exclude: [], excludeSystemFiles: false, oneFileSystem: true }];
}

export async function retentionStage(run: JobRun): Promise<StageStatus> {
  if (run.dryRun) {
    for (const target of run.job.targets) if ('keep' in target && target.keep) run.would('retention', `apply keep to ${target.kind} ${targetLocation(target)}`);
    return 'skipped';
  }
  const kept = run.targets.filter((t) => t.keep);
  if (kept.length === 0) return 'skipped';
  for (const { target, keep } of kept) {
    const pruned = await target.prune(keep!, targetContext(run, target, []));
    run.emit({ type: 'retention.pruned', target: target.location, removed: pruned.removed, kept: pruned.kept });
  }
  return 'succeeded';
}

/** What a target gets to write or prune: the run, the snapshots, and where to report. */
function targetContext(run: JobRun, target: Target, snapshots: SnapshotInfo[], counts = { skipped: 0 }): TargetContext {
  const interval = run.options.progressIntervalMs ?? 250;
  let lastProgress = -Infinity;
  return {
    runId: run.options.plan.runId,
    job: run.job.name,
    hostname: run.options.plan.hostname,
    started: new Date(run.options.plan.started),
    signal: run.options.signal,
    ignoreReadErrors: run.job.ignoreReadErrors,
    snapshots,
    env: hookEnvironment({
      runId: run.options.plan.runId,
      job: run.job.name,
      stage: 'after-snapshot',
      ...run.volumeNamesAndIds(run.volumes),
      snapshotPaths: snapshots.map((s) => s.snapshotPath),
      hookEnv: run.job.hookEnv,
    }),
    progress: (progress) => {
      const now = performance.now();
      if (now - lastProgress < interval) return;
      lastProgress = now;
      run.emit({ type: 'copy.progress', target: target.location, ...progress });
    },
    skipped: (path, reason, detail) => {
      counts.skipped += 1;
      run.emit({ type: 'file.skipped', path, reason, detail });
    },
    warn: (message, detail) => run.warn(message, detail),
    output: (stream, line) => run.emit({ type: 'hook.output', hookId: `target:${target.kind}`, stream, line }),
  };
}

/** Where a target writes, as events and dry runs name it (secrets shown as ***). */
export function targetLocation(target: TargetPlan): string {
  switch (target.kind) {
    case 'tree':
      return target.path;
    case 'restic':
      return shown(target.repository);
    case 'exec':
      return shown(target.program);
  }
}
