// The Prometheus textfile for `monitor textfile PATH` (node_exporter's textfile collector):
// the outcome of the last run of each job. Jobs this run did not touch keep the values the
// file already had, and so does the last success of a job that did not succeed this time:
// an alert on "no success for 2 days" must survive a failed night.

import { readFile } from 'node:fs/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Gauge, Registry } from 'prom-client';
import type { RunStatus, StillpointEvent } from '../events/types.ts';
import { writeFileAtomically } from './atomic-write.ts';
import { summarizeRun } from './run-summary.ts';

const STATUSES: RunStatus[] = ['succeeded', 'partial', 'failed', 'cancelled'];

const PER_JOB = {
  lastRunTimestamp: ['stillpoint_last_run_timestamp_seconds', 'When the last run of the job finished (Unix time).'],
  lastSuccessTimestamp: ['stillpoint_last_success_timestamp_seconds', 'When the job last finished with status succeeded (Unix time).'],
  exitCode: ['stillpoint_last_run_exit_code', 'Exit code of the last run: 0 succeeded, 1 failed, 3 partial.'],
  duration: ['stillpoint_last_run_duration_seconds', 'How long the last run of the job took.'],
  bytes: ['stillpoint_last_run_bytes', 'Bytes copied to the targets by the last run.'],
  files: ['stillpoint_last_run_files', 'Files copied to the targets by the last run.'],
  skipped: ['stillpoint_last_run_skipped_files', 'Files the last run skipped (unreadable, locked, changed during copy).'],
  freezeWindow: ['stillpoint_last_run_freeze_window_seconds', 'Longest time writers stayed frozen in the last run.'],
} as const;
const STATUS_METRIC = 'stillpoint_last_run_status';

type JobValues = Partial<Record<keyof typeof PER_JOB, number>> & { status?: RunStatus };

export async function writeMetricsTextfile(path: string, events: StillpointEvent[]): Promise<void> {
  const jobs = await previousValues(path);
  for (const [name, values] of valuesOfRun(events)) {
    const lastSuccess = values.lastSuccessTimestamp ?? jobs.get(name)?.lastSuccessTimestamp;
    jobs.set(name, { ...values, ...(lastSuccess !== undefined ? { lastSuccessTimestamp: lastSuccess } : {}) });
  }
  await writeFileAtomically(path, await textfile(jobs));
}

function valuesOfRun(events: StillpointEvent[]): Map<string, JobValues> {
  const run = summarizeRun(events);
  const values = new Map<string, JobValues>();
  for (const job of run.jobs) {
    // A job without its job.finished (the process died) counts as the run ended, or failed.
    const status: RunStatus = job.state !== 'running' ? job.state : run.state !== 'running' ? run.state : 'failed';
    const finished = Date.parse(job.finishedAt ?? run.finishedAt ?? run.lastEventAt ?? job.startedAt) / 1000;
    const freezes = job.freezes.map((f) => f.windowMs ?? 0);
    values.set(job.name, {
      status,
      lastRunTimestamp: finished,
      ...(status === 'succeeded' ? { lastSuccessTimestamp: finished } : {}),
      exitCode: job.exitCode ?? run.exitCode ?? 1,
      duration: (job.durationMs ?? Date.parse(job.finishedAt ?? run.lastEventAt ?? job.startedAt) - Date.parse(job.startedAt)) / 1000,
      bytes: job.bytes ?? job.targets.reduce((sum, t) => sum + t.bytesDone, 0),
      files: job.files ?? job.targets.reduce((sum, t) => sum + t.filesDone, 0),
      skipped: job.skipped ?? job.skippedFiles.length,
      freezeWindow: Math.max(0, ...freezes) / 1000,
    });
  }
  return values;
}

async function previousValues(path: string): Promise<Map<string, JobValues>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const jobs = new Map<string, JobValues>();
  const valueOf = (job: string) => jobs.get(job) ?? jobs.set(job, {}).get(job)!;
  for (const family of parsePrometheusTextFormat(text)) {
    const key = (Object.keys(PER_JOB) as Array<keyof typeof PER_JOB>).find((k) => PER_JOB[k][0] === family.name);
    for (const sample of family.metrics) {
      const job = sample.labels?.job;
      if (job === undefined || sample.value === undefined) continue;
      if (key) valueOf(job)[key] = Number(sample.value);
      else if (family.name === STATUS_METRIC && Number(sample.value) === 1) valueOf(job).status = sample.labels!.status as RunStatus;
    }
  }
  return jobs;
}

async function textfile(jobs: Map<string, JobValues>): Promise<string> {
  const registry = new Registry();
  const gauges = Object.fromEntries(
    Object.entries(PER_JOB).map(([key, [name, help]]) => [key, new Gauge({ name, help, labelNames: ['job'], registers: [registry] })]),
  ) as Record<keyof typeof PER_JOB, Gauge<'job'>>;
  const status = new Gauge({ name: STATUS_METRIC, help: 'Status of the last run: 1 for the status it ended with, 0 for the others.', labelNames: ['job', 'status'], registers: [registry] });
  for (const [job, values] of [...jobs].sort(([a], [b]) => a.localeCompare(b))) {
    for (const key of Object.keys(PER_JOB) as Array<keyof typeof PER_JOB>) {
      const value = values[key];
      if (value !== undefined && Number.isFinite(value)) gauges[key].set({ job }, value);
    }
    if (values.status) for (const s of STATUSES) status.set({ job, status: s }, s === values.status ? 1 : 0);
  }
  return registry.metrics();
}
