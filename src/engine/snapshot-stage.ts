// Stage 5, snapshot (LANGUAGE.md §5): each planned snapshot set in turn, inside its writers'
// freeze window, with its before- and after-snapshot hooks; a set that fails offers its
// volumes to the providers after the one that failed.

import type { StageStatus, StillpointEventBody } from '../events/types.ts';
import { elapsed, withDeadline } from '../base/deadline.ts';
import { messageOf } from '../base/errors.ts';
import type { SnapshotContext, SnapshotSet, VolumeInfo } from '../providers/provider.ts';
import { HookFailure } from './hooks.ts';
import type { JobRun } from './lifecycle.ts';
import { NoProviderError, chooseSnapshotSets, type PlannedSet } from './snapshot-sets.ts';

export async function snapshotStage(run: JobRun): Promise<StageStatus> {
  if (run.dryRun) {
    for (const planned of run.planned) {
      run.would('snapshot', `create snapshot set ${planned.setId} with ${planned.options.name} of ${planned.volumes.map((v) => v.name).join(', ')}`, planned.setId);
      await run.hooks('before-snapshot', { setId: planned.setId, volumes: planned.volumes });
      await run.hooks('after-snapshot', { setId: planned.setId, volumes: planned.volumes });
    }
    return 'skipped';
  }
  const queue = [...run.planned];
  while (queue.length > 0) {
    const planned = queue.shift()!;
    try {
      await takeSnapshotSet(run, planned);
    } catch (error) {
      if (run.options.signal.aborted || error instanceof HookFailure) throw error;
      queue.unshift(...(await fallBack(run, planned, error)));
    }
  }
  return 'succeeded';
}

/** before-snapshot hooks → prepare-snapshot → freeze → snapshot → thaw → post-snapshot → after-snapshot hooks. */
async function takeSnapshotSet(run: JobRun, planned: PlannedSet): Promise<void> {
  const writers = run.writers!;
  const { setId, volumes } = planned;
  await run.hooks('before-snapshot', { setId, volumes });
  await writers.prepareSnapshot(setId);
  // A set that appears after its creation was given up (the window closed) is no good: it
  // is released at once and never copied from.
  const discard = (late: SnapshotSet) => run.sets.discard(late, planned);
  const create = (signal: AbortSignal) =>
    withDeadline((s) => planned.provider.createSnapshotSet(volumes, planned.options, snapshotContext(run, planned, s)), {
      what: `snapshot set ${setId} (${planned.options.name})`,
      timeoutMs: run.job.snapshotTimeoutMs,
      signal,
      late: discard,
    });
  // PowerShell's start-up (seconds) must not land inside the freeze window.
  await run.pwshReady();
  const started = performance.now();
  const set = await run.sets.create(planned, () =>
    writers.names.length > 0 ? writers.frozen(setId, run.job.freezeTimeoutMs, create, discard) : create(run.options.signal),
  );
  run.emit({ type: 'snapshot-set.created', setId, provider: planned.options.name, snapshots: set.snapshots, durationMs: elapsed(started) });
  try {
    await writers.postSnapshot(setId);
    await run.hooks('after-snapshot', { setId, volumes, snapshots: set.snapshots });
  } catch (error) {
    // A set whose writers failed after it was taken is not a good set: release it now, so
    // that the next provider's set takes its place.
    if (!(error instanceof HookFailure)) await run.sets.release(set);
    throw error;
  }
}

function snapshotContext(run: JobRun, planned: PlannedSet, signal: AbortSignal): SnapshotContext {
  return {
    runId: run.options.plan.runId,
    job: run.job.name,
    signal,
    freezeTimeoutMs: run.job.freezeTimeoutMs,
    snapshotTimeoutMs: run.job.snapshotTimeoutMs,
    duringFreezeHooks: run.job.hooks.filter((h) => h.stage === 'during-freeze'),
    runDuringFreezeHooks: async (hooks) => {
      if (hooks.length === 0) return;
      await run.options.parts.runHooks(hooks, run.hookContext('during-freeze', { setId: planned.setId, volumes: planned.volumes, signal }));
    },
    warn: (message, detail) => run.warn(message, detail),
    backupType: run.job.backupType,
    ...(run.previousStamp === undefined ? {} : { previousStamp: run.previousStamp }),
    writerState: (update) => run.emit({ type: 'writer.state', ...update }),
  };
}

/** The set failed: offer its volumes to the providers after the one that failed. */
async function fallBack(run: JobRun, planned: PlannedSet, error: unknown): Promise<PlannedSet[]> {
  const buffered: StillpointEventBody[] = [];
  let next: PlannedSet[];
  try {
    next = await chooseSnapshotSets(
      planned.volumes,
      {
        providers: run.job.providers,
        load: run.options.parts.loadProvider,
        emit: (body) => buffered.push(body),
        nextSetId: () => run.nextSetId(),
      },
      planned.providerIndex + 1,
    );
  } catch (noProvider) {
    run.emit({ type: 'provider.failed', provider: planned.options.name, volumes: names(planned.volumes), setId: planned.setId, error: messageOf(error) });
    for (const body of buffered) run.emit(body);
    const rest = noProvider instanceof NoProviderError ? ' and no later provider can take its volumes' : `; ${messageOf(noProvider)}`;
    throw new Error(`snapshot set ${planned.setId} (${planned.options.name}) failed: ${messageOf(error)}${rest}`);
  }
  run.emit({
    type: 'provider.failed',
    provider: planned.options.name,
    volumes: names(planned.volumes),
    setId: planned.setId,
    error: messageOf(error),
    nextProvider: next.map((p) => p.options.name).join(', '),
  });
  for (const body of buffered) run.emit(body);
  run.planned.push(...next);
  return next;
}

function names(volumes: VolumeInfo[]): string[] {
  return volumes.map((v) => v.name);
}
