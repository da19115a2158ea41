// `stillpoint providers <file>`: for each job, each volume and each of the job's providers in
// order, whether it is available here and, if not, why; the one a run would choose is marked.
// Probing touches nothing.

import { messageOf } from '../base/errors.ts';
import { realParts, type EngineParts } from '../engine/parts.ts';
import type { JobPlan } from '../plan/types.ts';
import { EXIT } from '../base/exit-codes.ts';
import { loadPlanOrReport } from './load-plan.ts';

export interface ProviderProbe {
  provider: string;
  available: boolean;
  reason?: string;
  chosen: boolean;
}

export interface VolumeProbes {
  job: string;
  volume: string;
  root?: string;
  fsType?: string;
  device?: string;
  /** Why the volume itself could not be resolved. */
  error?: string;
  providers: ProviderProbe[];
}

export async function probeJob(job: JobPlan, parts: EngineParts): Promise<VolumeProbes[]> {
  const rows: VolumeProbes[] = [];
  for (const volumePlan of job.volumes) {
    let volume;
    try {
      volume = await parts.resolveVolume(volumePlan.path);
    } catch (error) {
      rows.push({ job: job.name, volume: volumePlan.path, error: messageOf(error), providers: [] });
      continue;
    }
    const providers: ProviderProbe[] = [];
    for (const options of job.providers) {
      const availability = await parts
        .loadProvider(options.name)
        .then((provider) => provider.probe(volume, options))
        .catch((error: unknown) => ({ available: false as const, reason: messageOf(error) }));
      const chosen = availability.available && !providers.some((p) => p.chosen);
      providers.push({ provider: options.name, available: availability.available, ...('reason' in availability ? { reason: availability.reason } : {}), chosen });
    }
    rows.push({
      job: job.name,
      volume: volume.name,
      root: volume.root,
      ...(volume.fsType ? { fsType: volume.fsType } : {}),
      ...(volume.device ? { device: volume.device } : {}),
      providers,
    });
  }
  return rows;
}

export async function providersCommand(
  file: string,
  options: { job?: string; json?: boolean; importRoot?: string[] },
  out: NodeJS.WritableStream = process.stdout,
  parts: EngineParts = realParts,
): Promise<number> {
  const loaded = await loadPlanOrReport(file, { job: options.job, importRoots: options.importRoot, runTime: true });
  if (typeof loaded === 'number') return loaded;
  const jobs = loaded.plan.jobs.filter((j) => options.job === undefined || j.name === options.job);
  const rows: VolumeProbes[] = [];
  for (const job of jobs) rows.push(...(await probeJob(job, parts)));
  if (options.json) {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    let currentJob: string | undefined;
    for (const row of rows) {
      if (row.job !== currentJob) out.write(`job "${(currentJob = row.job)}"\n`);
      if (row.error) {
        out.write(`  volume ${row.volume}: ${row.error}\n`);
        continue;
      }
      const where = [row.fsType, row.device].filter(Boolean).join(', ');
      out.write(`  volume ${row.volume}${where ? ` (${where})` : ''}\n`);
      const width = Math.max(...row.providers.map((p) => p.provider.length));
      for (const p of row.providers) {
        const state = p.available ? `available${p.chosen ? '  <- a run chooses this one' : ''}` : `not available: ${p.reason}`;
        out.write(`    ${p.provider.padEnd(width)}  ${state}\n`);
      }
      if (!row.providers.some((p) => p.chosen)) out.write('    no provider can snapshot this volume: add one that works here (copy works anywhere)\n');
    }
  }
  return rows.every((row) => row.providers.some((p) => p.chosen)) ? EXIT.succeeded : EXIT.failed;
}
