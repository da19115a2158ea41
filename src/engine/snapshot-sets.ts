// Snapshot sets (LANGUAGE.md §4.1): for each volume the providers are tried in the job's
// order and the first that is available and supports the volume takes it; the volumes one
// provider takes form one snapshot set, captured at one instant. When a set fails, its
// volumes are offered to the providers after the one that failed. Every set that exists is
// held by a SnapshotSets scope that releases it, also after a failure, and a state record
// exists for it from just before its creation until its release, so that a killed run's sets
// are found and released later.

import type { StillpointEventBody } from '../events/types.ts';
import type { ProviderName, ProviderPlan } from '../plan/types.ts';
import type { SnapshotProvider, SnapshotSet, VolumeInfo } from '../providers/provider.ts';
import type { StateStore } from './state.ts';
import { RunCancelled } from './cancel.ts';
import { DeadlineExceeded } from '../base/deadline.ts';
import { messageOf } from '../base/errors.ts';

export type LoadProvider = (name: ProviderName) => Promise<SnapshotProvider>;

/** A snapshot set that is chosen but not yet created. */
export interface PlannedSet {
  setId: string;
  /** Index of its provider in the job's list, where a fallback continues from. */
  providerIndex: number;
  provider: SnapshotProvider;
  options: ProviderPlan;
  volumes: VolumeInfo[];
}

/** No provider in the job's list can take these volumes. */
export class NoProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoProviderError';
  }
}

export interface ChoiceContext {
  providers: ProviderPlan[];
  load: LoadProvider;
  emit: (body: StillpointEventBody) => void;
  nextSetId: () => string;
}

/**
 * Chooses a provider for every volume, trying `providers` from index `from` on, and groups the
 * volumes by the provider that took them. Emits provider.skipped (with the reason) for every
 * provider that declined a volume, and provider.chosen for every set. Throws NoProviderError,
 * naming each provider's reason, when some volume finds none.
 */
export async function chooseSnapshotSets(volumes: VolumeInfo[], context: ChoiceContext, from = 0): Promise<PlannedSet[]> {
  const loaded = new Map<number, SnapshotProvider | Error>();
  const chosen = new Map<number, VolumeInfo[]>();
  const declined: Array<{ index: number; volume: VolumeInfo; reason: string }> = [];
  const homeless: VolumeInfo[] = [];
  for (const volume of volumes) {
    let taken = false;
    for (let index = from; index < context.providers.length && !taken; index++) {
      const options = context.providers[index];
      const provider = await loadOnce(loaded, index, options.name, context.load);
      const availability =
        provider instanceof Error
          ? { available: false as const, reason: provider.message }
          : await provider.probe(volume, options).catch((error: unknown) => ({ available: false as const, reason: messageOf(error) }));
      if (availability.available) {
        chosen.set(index, [...(chosen.get(index) ?? []), volume]);
        taken = true;
      } else {
        declined.push({ index, volume, reason: availability.reason });
      }
    }
    if (!taken) homeless.push(volume);
  }

  for (const { index, volumes: skipped, reason } of groupDeclined(declined)) {
    context.emit({ type: 'provider.skipped', provider: context.providers[index].name, volumes: skipped, reason });
  }
  if (homeless.length > 0) {
    const lines = homeless.map((volume) => {
      const reasons = declined
        .filter((d) => d.volume === volume)
        .map((d) => `${context.providers[d.index].name}: ${d.reason}`);
      const tried = reasons.length > 0 ? reasons.join('; ') : 'no provider is left to try';
      return `no provider can snapshot volume "${volume.name}" (${tried})`;
    });
    throw new NoProviderError(`${lines.join('\n')}\nAdd a provider that works here (the copy provider works anywhere) or fix the volume.`);
  }

  const sets: PlannedSet[] = [];
  for (const [index, setVolumes] of [...chosen].sort(([a], [b]) => a - b)) {
    const set: PlannedSet = {
      setId: context.nextSetId(),
      providerIndex: index,
      provider: loaded.get(index) as SnapshotProvider,
      options: context.providers[index],
      volumes: setVolumes,
    };
    context.emit({ type: 'provider.chosen', provider: set.options.name, volumes: setVolumes.map((v) => v.name), setId: set.setId });
    sets.push(set);
  }
  return sets;
}

async function loadOnce(
  loaded: Map<number, SnapshotProvider | Error>,
  index: number,
  name: ProviderName,
  load: LoadProvider,
): Promise<SnapshotProvider | Error> {
  if (!loaded.has(index)) {
    loaded.set(
      index,
      await load(name).catch((error: unknown) => new Error(`cannot be loaded on this machine: ${messageOf(error)}`)),
    );
  }
  return loaded.get(index)!;
}

/** One provider.skipped per provider and reason, naming every volume it applies to. */
function groupDeclined(declined: Array<{ index: number; volume: VolumeInfo; reason: string }>) {
  const groups = new Map<string, { index: number; volumes: string[]; reason: string }>();
  for (const { index, volume, reason } of declined) {
    const key = `${index}\u0000${reason}`;
    const group = groups.get(key) ?? { index, volumes: [], reason };
    group.volumes.push(volume.name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The snapshot sets of one job run. `create` records a set before creating it and holds it;
 * `releaseAll` (also the scope's disposal) releases every held set, newest first, and removes
 * its record. Releasing twice is harmless.
 */
export class SnapshotSets implements AsyncDisposable {
  readonly #held: Array<{ set: SnapshotSet; planned: PlannedSet }> = [];
  readonly #discarding: Array<{ setId: string; released: Promise<boolean> }> = [];
  readonly #state: StateStore | undefined;
  readonly #emit: (body: StillpointEventBody) => void;
  readonly #identity: { runId: string; job: string };

  constructor(options: { state?: StateStore; emit: (body: StillpointEventBody) => void; runId: string; job: string }) {
    this.#state = options.state;
    this.#emit = options.emit;
    this.#identity = { runId: options.runId, job: options.job };
  }

  /** The sets that exist, each with the plan it was created from. */
  get held(): ReadonlyArray<{ set: SnapshotSet; planned: PlannedSet }> {
    return this.#held;
  }

  /** Writes the set's record, then lets `make` create it; the set is held from then on. */
  async create(planned: PlannedSet, make: () => Promise<SnapshotSet>): Promise<SnapshotSet> {
    await this.#state?.recordSnapshotSet({
      ...this.#identity,
      pid: process.pid,
      setId: planned.setId,
      provider: planned.options,
      volumes: planned.volumes,
      recorded: new Date().toISOString(),
    });
    let set: SnapshotSet;
    try {
      set = await make();
    } catch (error) {
      // Given up on (a deadline, a cancel), the set may still appear: keep its record until
      // then, or for `cleanup` if this process dies first.
      const mayStillAppear = error instanceof DeadlineExceeded || error instanceof RunCancelled;
      if (!mayStillAppear) await this.#state?.forgetSnapshotSet({ runId: this.#identity.runId, setId: planned.setId });
      throw error;
    }
    this.#held.push({ set, planned });
    return set;
  }

  /** Releases, at once, a set that appeared after its creation was given up; it is never held. */
  discard(set: SnapshotSet, planned: PlannedSet): void {
    this.#discarding.push({ setId: planned.setId, released: this.#release({ set, planned }) });
  }

  /** Releases one held set now (a set that failed after it was created). */
  async release(set: SnapshotSet): Promise<void> {
    const index = this.#held.findIndex((h) => h.set === set);
    if (index < 0) return;
    const [held] = this.#held.splice(index, 1);
    await this.#release(held);
  }

  /** Releases every held set (and waits for discarded ones); returns the ids of those that could not be released. */
  async releaseAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const { setId, released } of this.#discarding.splice(0)) if (!(await released)) failed.push(setId);
    while (this.#held.length > 0) {
      const held = this.#held.pop()!;
      if (!(await this.#release(held))) failed.push(held.planned.setId);
    }
    return failed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.releaseAll();
  }

  async #release({ set, planned }: { set: SnapshotSet; planned: PlannedSet }): Promise<boolean> {
    try {
      await set.release();
      await this.#state?.forgetSnapshotSet({ runId: this.#identity.runId, setId: planned.setId });
      this.#emit({ type: 'snapshot-set.released', setId: planned.setId, provider: set.provider });
      return true;
    } catch (error) {
      // The record stays: `stillpoint cleanup` or the next run will try again.
      this.#emit({ type: 'snapshot-set.released', setId: planned.setId, provider: set.provider, error: messageOf(error) });
      return false;
    }
  }
}

/**
 * Releases what killed runs of this job left: every recorded set whose process is gone, through
 * its provider's cleanupLeftovers (which finds the snapshots by their marker).
 */
export async function releaseLeftovers(
  job: string,
  state: StateStore,
  load: LoadProvider,
  emit: (body: StillpointEventBody) => void,
): Promise<number> {
  let released = 0;
  for (const record of await state.leftoverSnapshotSets(job)) {
    const setId = `${record.runId}/${record.setId}`;
    try {
      const provider = await load(record.provider.name);
      const removed = await provider.cleanupLeftovers(record.volumes, record.provider, job);
      await state.forgetSnapshotSet(record);
      emit({ type: 'snapshot-set.released', setId, provider: record.provider.name });
      released += removed.length;
    } catch (error) {
      emit({ type: 'snapshot-set.released', setId, provider: record.provider.name, error: messageOf(error) });
    }
  }
  return released;
}
