// The work behind `stillpoint schedule`: read the plan, turn each job's `schedule` lines into
// scheduler entries.

import { nextRuns } from '../base/cron.ts';
import { defaultScheduler, installSchedules, removeSchedules, type ScheduleOutcome } from '../schedule/install.ts';
import { scheduledJob, type ScheduledJob } from '../schedule/job.ts';
import { EXIT } from '../base/exit-codes.ts';
import { loadPlanOrReport } from './load-plan.ts';

/** What every `schedule` subcommand is given besides the script: which job, and where its imports may come from. */
interface ScriptOptions {
  job?: string;
  importRoot?: string[];
}

export async function showSchedules(file: string, options: ScriptOptions & { count: string }): Promise<number> {
  const jobs = await scheduledJobs(file, options);
  if (typeof jobs === 'number') return jobs;
  const count = Number(options.count);
  for (const job of jobs) {
    console.log(`${job.name}`);
    if (job.schedules.length === 0) {
      console.log('  no schedule');
      continue;
    }
    for (const s of job.schedules) console.log(`  "${s.expression}"`);
    const runs = job.schedules
      .flatMap((s) => nextRuns(s.expression, count))
      .sort((a, b) => a.getTime() - b.getTime())
      .slice(0, count);
    for (const run of runs) console.log(`    ${localIso(run)}`);
  }
  return EXIT.succeeded;
}

export async function changeSchedules(
  action: 'install' | 'remove',
  file: string,
  options: ScriptOptions & { cron?: boolean; print?: boolean; unitDir: string },
): Promise<number> {
  const jobs = await scheduledJobs(file, options);
  if (typeof jobs === 'number') return jobs;
  const scheduled = jobs.filter((j) => j.schedules.length > 0);
  if (scheduled.length === 0) {
    console.error(`stillpoint: no job in ${file} has a schedule; add \`schedule "30 23 * * *"\` to a job`);
    return EXIT.usage;
  }
  const scheduleOptions = {
    scheduler: options.cron ? ('cron' as const) : defaultScheduler(),
    print: options.print ?? false,
    unitDir: options.unitDir === '/etc/systemd/system' ? undefined : options.unitDir,
  };
  let outcome: ScheduleOutcome;
  try {
    outcome = action === 'install' ? await installSchedules(scheduled, scheduleOptions) : await removeSchedules(scheduled, scheduleOptions);
  } catch (error) {
    console.error(`stillpoint: schedule ${action} failed: ${(error as Error).message}`);
    return EXIT.failed;
  }
  for (const change of outcome.changes) {
    if (options.print) {
      console.log(`# ${change.where}${change.content === '' ? ' (removed)' : ''}`);
      if (change.content !== '') console.log(change.content);
    } else {
      console.log(`${action === 'install' ? 'wrote' : 'removed'} ${change.where}`);
    }
  }
  if (options.print) for (const command of outcome.commands) console.log(`# then: ${command}`);
  if (outcome.notice) {
    console.error(`stillpoint: ${outcome.notice}`);
    return EXIT.failed;
  }
  return EXIT.succeeded;
}

async function scheduledJobs(file: string, { job, importRoot }: ScriptOptions): Promise<ScheduledJob[] | number> {
  const loaded = await loadPlanOrReport(file, { job, importRoots: importRoot });
  if (typeof loaded === 'number') return loaded;
  try {
    return loaded.plan.jobs.map((j) => scheduledJob(j.name, file, j.schedules));
  } catch (error) {
    console.error(`stillpoint: ${(error as Error).message}`);
    return EXIT.usage;
  }
}

function localIso(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())} ${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)} (${date.toLocaleDateString('en', { weekday: 'short' })})`;
}
