// `stillpoint writers <file>`: the writers of a script and their state, the way
// `vssadmin list writers` shows VSS writers. Each writer identifies itself, which includes a
// harmless probe (open the database, connect, find the process); a writer that cannot is
// listed as failed with the reason. Nothing is frozen or changed.

import { tmpdir } from 'node:os';
import { messageOf } from '../base/errors.ts';
import { hookEnvironment } from '../engine/hook-env.ts';
import type { SecretStore } from '../base/secret.ts';
import type { JobPlan, Plan } from '../plan/types.ts';
import { createWriter } from '../writers/index.ts';
import { EXIT } from '../base/exit-codes.ts';
import { loadPlanOrReport } from './load-plan.ts';

export interface WriterListing {
  job: string;
  name: string;
  kind: string;
  subject?: string;
  required: boolean;
  state: 'stable' | 'failed';
  error?: string;
  origin: string;
}

export async function listWriters(plan: Plan, secrets: SecretStore, jobs: JobPlan[]): Promise<WriterListing[]> {
  const rows: WriterListing[] = [];
  for (const job of jobs) {
    for (const writerPlan of job.writers) {
      const row: WriterListing = { job: job.name, name: writerPlan.name, kind: writerPlan.kind, required: writerPlan.required, state: 'stable', origin: writerPlan.origin };
      let writer;
      try {
        writer = await createWriter(writerPlan, secrets);
        const metadata = await writer.identify({
          runId: plan.runId,
          job: job.name,
          signal: AbortSignal.timeout(writerPlan.timeoutMs),
          env: hookEnvironment({
            runId: plan.runId,
            job: job.name,
            stage: 'before-backup',
            volumes: job.volumes.map((v) => v.path),
            volumeIds: [],
            hookEnv: job.hookEnv,
          }),
          artifactDir: tmpdir(),
        });
        row.subject = metadata.subject;
      } catch (error) {
        row.state = 'failed';
        row.error = secrets.redact(messageOf(error));
      } finally {
        await writer?.close().catch(() => {});
      }
      rows.push(row);
    }
  }
  return rows;
}

export async function writersCommand(
  file: string,
  options: { job?: string; json?: boolean; importRoot?: string[] },
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const loaded = await loadPlanOrReport(file, { job: options.job, importRoots: options.importRoot, runTime: true });
  if (typeof loaded === 'number') return loaded;
  const jobs = loaded.plan.jobs.filter((j) => options.job === undefined || j.name === options.job);
  const rows = await listWriters(loaded.plan, loaded.secrets, jobs);
  if (options.json) {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    out.write('no writers: this script has no `writer` statement\n');
  } else {
    for (const row of rows) {
      out.write(`Writer name: '${row.name}'\n`);
      out.write(`   Job: ${row.job}\n`);
      out.write(`   Kind: ${row.kind}${row.required ? '' : ' (optional)'}\n`);
      if (row.subject !== undefined) out.write(`   Subject: ${row.subject}\n`);
      out.write(`   State: ${row.state === 'stable' ? '[1] Stable' : '[8] Failed'}\n`);
      out.write(`   Last error: ${row.error ?? 'No error'}\n`);
      out.write(`   Declared at: ${row.origin}\n\n`);
    }
  }
  return rows.every((r) => r.state === 'stable') ? EXIT.succeeded : EXIT.failed;
}
