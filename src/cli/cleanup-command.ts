// `stillpoint cleanup <file>`: releases what killed runs left behind. Two sweeps per job,
// under the job's lock (a running job's snapshots are in use and are left alone):
// - every snapshot set in the state directory's record whose run is gone;
// - every snapshot on the job's volumes that carries the job's marker, through each
//   available provider's cleanupLeftovers (this finds them even when the state is lost).

import { randomUUID } from 'node:crypto';
import { messageOf } from '../base/errors.ts';
import { realParts, type EngineParts } from '../engine/parts.ts';
import { releaseLeftovers } from '../engine/snapshot-sets.ts';
import { JobLockedError, StateStore } from '../engine/state.ts';
import type { StillpointEventBody } from '../events/types.ts';
import type { JobPlan } from '../plan/types.ts';
import type { VolumeInfo } from '../providers/provider.ts';
import { EXIT } from '../base/exit-codes.ts';
import { loadPlanOrReport } from './load-plan.ts';

export interface CleanupOutcome {
  job: string;
  released: string[];
  problems: string[];
}

export async function cleanupJob(job: JobPlan, parts: EngineParts, state: StateStore): Promise<CleanupOutcome> {
  const outcome: CleanupOutcome = { job: job.name, released: [], problems: [] };
  try {
    await using _lock = await state.lockJob(job.name, `cleanup-${randomUUID()}`);
    const onRelease = (body: StillpointEventBody) => {
      if (body.type !== 'snapshot-set.released') return;
      if (body.error) outcome.problems.push(`snapshot set ${body.setId} (${body.provider}) could not be released: ${body.error}`);
      else outcome.released.push(`snapshot set ${body.setId} (${body.provider}), recorded by a run that did not finish`);
    };
    await releaseLeftovers(job.name, state, parts.loadProvider, onRelease);

    const volumes: VolumeInfo[] = [];
    for (const volume of job.volumes) {
      try {
        volumes.push(await parts.resolveVolume(volume.path));
      } catch (error) {
        outcome.problems.push(`volume "${volume.path}" was not searched: ${messageOf(error)}`);
      }
    }
    for (const options of job.providers) {
      try {
        const provider = await parts.loadProvider(options.name);
        const supported: VolumeInfo[] = [];
        for (const volume of volumes) if ((await provider.probe(volume, options)).available) supported.push(volume);
        if (supported.length === 0) continue;
        for (const name of await provider.cleanupLeftovers(supported, options, job.name)) {
          outcome.released.push(`${name} (${options.name})`);
        }
      } catch (error) {
        outcome.problems.push(`${options.name}: ${messageOf(error)}`);
      }
    }
  } catch (error) {
    if (!(error instanceof JobLockedError)) throw error;
    outcome.problems.push(`${error.message}; its snapshots are in use, nothing was released`);
  }
  return outcome;
}

export async function cleanupCommand(
  file: string,
  options: { job?: string; json?: boolean; importRoot?: string[] },
  out: NodeJS.WritableStream = process.stdout,
  parts: EngineParts = realParts,
  state: StateStore = new StateStore(),
): Promise<number> {
  const loaded = await loadPlanOrReport(file, { job: options.job, importRoots: options.importRoot, runTime: true });
  if (typeof loaded === 'number') return loaded;
  const outcomes: CleanupOutcome[] = [];
  for (const job of loaded.plan.jobs.filter((j) => options.job === undefined || j.name === options.job)) {
    outcomes.push(await cleanupJob(job, parts, state));
  }
  if (options.json) {
    out.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  } else {
    for (const { job, released, problems } of outcomes) {
      const summary = released.length > 0 ? `released ${released.length}` : problems.length > 0 ? 'not cleaned up' : 'nothing left behind';
      out.write(`job "${job}": ${summary}\n`);
      for (const line of released) out.write(`  released ${line}\n`);
      for (const line of problems) out.write(`  problem: ${line}\n`);
    }
  }
  return outcomes.every((o) => o.problems.length === 0) ? EXIT.succeeded : EXIT.failed;
}
