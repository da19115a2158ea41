// A crontab line per job, marked so that install replaces and remove deletes exactly its own
// line and never touches the others.

import type { ScheduledJob } from './job.ts';

export function cronMarker(job: ScheduledJob): string {
  return `# stillpoint:${job.unitSlug}:${job.script}`;
}

export function crontabLines(job: ScheduledJob, logFile: string): string[] {
  const command = `cd ${shQuote(job.workingDirectory)} && ${job.command.map(shQuote).join(' ')} >> ${shQuote(logFile)} 2>&1`;
  return job.schedules.map((s) => `${s.expression} ${command} ${cronMarker(job)}`);
}

/** The crontab with this job's lines replaced (or removed, when `lines` is empty). */
export function updateCrontab(current: string, job: ScheduledJob, lines: string[]): string {
  const marker = cronMarker(job);
  const kept = current.split('\n').filter((line) => line !== '' && !line.endsWith(marker));
  return [...kept, ...lines].join('\n') + '\n';
}

export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
