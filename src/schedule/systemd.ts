// A systemd service + timer pair per job. Cron becomes one or two OnCalendar= lines (two when
// both day fields are restricted: cron ORs them, OnCalendar ANDs them, and several OnCalendar=
// lines are ORed).

import type { CronSchedule } from '../base/cron.ts';
import type { ScheduledJob } from './job.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function onCalendar(schedule: CronSchedule): string[] {
  const time = `${list(schedule.hours, 0, 23)}:${list(schedule.minutes, 0, 59)}:00`;
  const month = list(schedule.months, 1, 12);
  const days = list(schedule.daysOfMonth, 1, 31);
  const weekdays = schedule.daysOfWeek.length === 7 ? '' : `${schedule.daysOfWeek.map((d) => WEEKDAYS[d]).join(',')} `;
  if (schedule.daysMatchEither) return [`*-${month}-${days} ${time}`, `${weekdays}*-${month}-* ${time}`];
  // One OnCalendar line ANDs its weekday and day parts, as cron does here.
  return [`${weekdays}*-${month}-${days} ${time}`];
}

/** `*` for the full range, else a comma list with two digits (systemd accepts both). */
function list(values: number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  return values.map((v) => String(v).padStart(2, '0')).join(',');
}

export function unitName(job: ScheduledJob): string {
  return `stillpoint-${job.unitSlug}`;
}

export function serviceUnit(job: ScheduledJob): string {
  return [
    '[Unit]',
    `Description=Stillpoint backup job ${job.name} (${job.script})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${job.command.map(quoteSystemd).join(' ')}`,
    `WorkingDirectory=${job.workingDirectory}`,
    // A run must be able to thaw and release after SIGTERM before systemd gives up on it.
    'TimeoutStopSec=120',
    'KillMode=mixed',
    '',
  ].join('\n');
}

export function timerUnit(job: ScheduledJob): string {
  return [
    '[Unit]',
    `Description=Schedule of Stillpoint backup job ${job.name}`,
    '',
    '[Timer]',
    ...job.schedules.flatMap((s) => onCalendar(s).map((c) => `OnCalendar=${c}`)),
    'Persistent=true',
    `Unit=${unitName(job)}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

function quoteSystemd(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
