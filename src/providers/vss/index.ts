// The `vss` provider: Volume Shadow Copy Service through its COM API (requester.ts), one
// snapshot set for every volume of the set, writers notified. Available on Windows, and on
// any machine where STILLPOINT_VSS_LIBRARY names a library that stands in for vssapi.dll
// (the test double in native/).

import type { ProviderPlan } from '../../plan/types.ts';
import type { Availability, SnapshotContext, SnapshotProvider, SnapshotSet, VolumeInfo } from '../provider.ts';
import { SetDeadline } from './async.ts';
import { VssApi, parseGuid, vssLibraries, type VssLibraries } from './com.ts';
import { VSS_SNAPSHOT_CONTEXT } from './constants.ts';
import { VssLedger } from './ledger.ts';
import { architectureMismatch, snapshotPathOf, volumePathOf } from './platform.ts';
import { Requester, type VssPlan } from './requester.ts';
import { writerState, vssStateName } from './writers.ts';
import { describeHresult } from './hresult.ts';

const apis = new Map<string, VssApi>();

function loadApi(libraries: VssLibraries): VssApi {
  let api = apis.get(libraries.vssapi);
  if (!api) {
    api = new VssApi(libraries);
    apis.set(libraries.vssapi, api);
  }
  return api;
}

function vssPlan(options: ProviderPlan): VssPlan {
  if (options.name !== 'vss') throw new Error(`the vss provider was given options of ${options.name}`);
  return options;
}

/** Why VSS cannot run in this process at all, or the loaded API. */
function api(): { api: VssApi } | { reason: string } {
  const libraries = vssLibraries();
  if (!libraries) return { reason: 'VSS is a Windows service; this machine runs ' + process.platform };
  if (process.platform === 'win32') {
    const mismatch = architectureMismatch();
    if (mismatch) return { reason: mismatch };
  }
  try {
    return { api: loadApi(libraries) };
  } catch (error) {
    return { reason: `could not load ${libraries.vssapi}: ${(error as Error).message}` };
  }
}

function quietEvents(warn: (message: string, detail?: string) => void) {
  return { warn, writerStatus: () => {} };
}

async function probe(volume: VolumeInfo, options: ProviderPlan): Promise<Availability> {
  const plan = vssPlan(options);
  const loaded = api();
  if ('reason' in loaded) return { available: false, reason: loaded.reason };
  let requester: Requester | undefined;
  try {
    if (plan.providerId) parseGuid(plan.providerId);
    requester = new Requester(loaded.api, quietEvents(() => {}));
    requester.initialize(plan.context === 'file-share-backup' ? VSS_SNAPSHOT_CONTEXT.VSS_CTX_FILE_SHARE_BACKUP : VSS_SNAPSHOT_CONTEXT.VSS_CTX_BACKUP);
    const volumePath = volumePathOf(volume.root);
    if (!requester.isVolumeSupported(volumePath, plan.providerId)) {
      return { available: false, reason: `VSS cannot snapshot ${volumePath} (IsVolumeSupported said no: FAT, exFAT, network or removable volume?)` };
    }
    return { available: true };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  } finally {
    requester?.release();
  }
}

async function createSnapshotSet(volumes: VolumeInfo[], options: ProviderPlan, context: SnapshotContext): Promise<SnapshotSet> {
  const plan = vssPlan(options);
  const loaded = api();
  if ('reason' in loaded) throw new Error(loaded.reason);
  const ledger = new VssLedger();
  const events = {
    warn: context.warn,
    writerStatus: (status: { name: string; state: number; failure: number }, step: string) => {
      const state = writerState(status.state);
      const error = state === 'failed' ? `${vssStateName(status.state)}: ${describeHresult(status.failure).name}` : undefined;
      if (context.writerState) {
        context.writerState({ writer: status.name, kind: 'vss', state, step, ...(error ? { error } : {}) });
      }
    },
  };
  const requester = new Requester(loaded.api, events);
  const volumePaths = volumes.map((v) => volumePathOf(v.root));
  let recorded: string | undefined;
  try {
    const created = await requester.createSet(
      volumePaths,
      plan,
      context.backupType ?? 'full',
      context.previousStamp?.stamp,
      new SetDeadline(plan.timeoutMs),
      context.signal,
      async (setId) => {
        await ledger.record({ setId, job: context.job, runId: context.runId });
        recorded = setId;
      },
    );
    const setId = requester.setId!;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      const problems = requester.release();
      if (problems.length > 0) throw new Error(`VSS snapshot set ${setId} was not fully released: ${problems.join('; ')}`);
      await ledger.forget(setId);
    };
    return {
      id: setId,
      provider: 'vss',
      snapshots: volumes.map((volume, i) => {
        const volumeId = volume.volumeId ?? created[i]!.volumeGuid;
        return {
          volume: volume.name,
          ...(volumeId ? { volumeId } : {}),
          snapshotPath: snapshotPathOf(created[i]!.deviceObject, volumePaths[i]!, volume.root),
        };
      }),
      backupComplete: (succeeded: boolean) => requester.backupComplete(succeeded, plan.timeoutMs),
      release,
      [Symbol.asyncDispose]: release,
    };
  } catch (error) {
    const problems = requester.release();
    if (recorded && problems.length === 0) await ledger.forget(recorded);
    if (problems.length > 0) context.warn('VSS did not clean up completely after the failure', problems.join('; '));
    throw error;
  }
}

async function cleanupLeftovers(_volumes: VolumeInfo[], options: ProviderPlan, job: string): Promise<string[]> {
  vssPlan(options);
  const ledger = new VssLedger();
  const leftovers = await ledger.leftovers(job);
  if (leftovers.length === 0) return [];
  const loaded = api();
  if ('reason' in loaded) throw new Error(`${leftovers.length} VSS snapshot set(s) of job "${job}" are left, but ${loaded.reason}`);
  const removed: string[] = [];
  const requester = new Requester(loaded.api, quietEvents(() => {}));
  try {
    requester.initialize(VSS_SNAPSHOT_CONTEXT.VSS_CTX_ALL);
    for (const entry of leftovers) {
      // A set the killed run never finished (or that VSS already dropped) is gone: only the record goes.
      if (requester.deleteSet(parseGuid(entry.setId))) removed.push(entry.setId);
      await ledger.forget(entry.setId);
    }
  } finally {
    requester.release();
  }
  return removed;
}

export const vssProvider: SnapshotProvider = { name: 'vss', probe, createSnapshotSet, cleanupLeftovers };
