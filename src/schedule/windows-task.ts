// A Task Scheduler definition (the XML that `schtasks /Create /XML` registers), running with
// highest privileges because VSS needs them. Cron times become CalendarTriggers; Task
// Scheduler ORs its triggers, which matches cron's day rule when both day fields are set.
// Element order inside a trigger follows the schema's xs:sequence (triggerBaseType, then
// calendarTriggerType): Enabled, StartBoundary, Repetition, ScheduleBy*.

import type { CronSchedule } from '../base/cron.ts';
import type { ScheduledJob } from './job.ts';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** More start times than this in one schedule is almost surely a mistake, and unreadable in the Task Scheduler UI. */
const MAX_TRIGGERS = 48;

export function taskName(job: ScheduledJob): string {
  return `\\Stillpoint\\${job.unitSlug}`;
}

export function taskXml(job: ScheduledJob): string {
  const triggers = job.schedules.flatMap((s) => calendarTriggers(s));
  const [program, ...args] = job.command;
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${xml(`Stillpoint backup job ${job.name} (${job.script})`)}</Description>`,
    `    <URI>${xml(taskName(job))}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...triggers.map((t) => `    ${t}`),
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    '      <UserId>S-1-5-18</UserId>',
    '      <RunLevel>HighestAvailable</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>',
    '    <Enabled>true</Enabled>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xml(program!)}</Command>`,
    `      <Arguments>${xml(args.map(windowsQuote).join(' '))}</Arguments>`,
    `      <WorkingDirectory>${xml(job.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

export function calendarTriggers(schedule: CronSchedule): string[] {
  if (!schedule.daysMatchEither && schedule.domRestricted && schedule.dowRestricted) {
    throw new Error(
      `schedule "${schedule.expression}" asks for days that match both its day-of-month and its day-of-week, which Task Scheduler cannot express; write the days in one of the two fields`,
    );
  }
  const days: string[] = [];
  if (schedule.dowRestricted) days.push(byWeek(schedule));
  if (schedule.domRestricted) days.push(byMonth(schedule, schedule.daysOfMonth));
  if (days.length === 0) {
    days.push(schedule.months.length === 12 ? '<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>' : byMonth(schedule, range(1, 31)));
  }
  return startTimes(schedule).flatMap(({ time, repetition }) =>
    days.map((day) => `<CalendarTrigger><Enabled>true</Enabled><StartBoundary>2000-01-01T${time}</StartBoundary>${repetition}${day}</CalendarTrigger>`),
  );
}

/** One start per (hour, minute), or one start that repeats all day for `*\/N * ...`. */
function startTimes(schedule: CronSchedule): Array<{ time: string; repetition: string }> {
  const count = schedule.hours.length * schedule.minutes.length;
  if (count <= MAX_TRIGGERS) {
    return schedule.hours.flatMap((h) => schedule.minutes.map((m) => ({ time: `${two(h)}:${two(m)}:00`, repetition: '' })));
  }
  const step = schedule.minutes.length > 1 ? schedule.minutes[1]! - schedule.minutes[0]! : 60;
  const evenlySpaced = schedule.minutes.every((m, i) => m === schedule.minutes[0]! + i * step) && 60 % step === 0 && schedule.minutes.length === 60 / step;
  if (schedule.hours.length === 24 && evenlySpaced) {
    return [{ time: `00:${two(schedule.minutes[0]!)}:00`, repetition: `<Repetition><Interval>PT${step}M</Interval><Duration>P1D</Duration></Repetition>` }];
  }
  throw new Error(
    `schedule "${schedule.expression}" starts ${count} times a day at irregular times; Task Scheduler needs one trigger per start time (at most ${MAX_TRIGGERS}): use an even step such as "*/15 * * * *" or fewer times`,
  );
}

function byWeek(schedule: CronSchedule): string {
  const days = schedule.daysOfWeek.map((d) => `<${DAY_NAMES[d]} />`).join('');
  return `<ScheduleByWeek><DaysOfWeek>${days}</DaysOfWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek>`;
}

function byMonth(schedule: CronSchedule, daysOfMonth: number[]): string {
  const days = daysOfMonth.map((d) => `<Day>${d}</Day>`).join('');
  const months = schedule.months.map((m) => `<${MONTH_NAMES[m - 1]} />`).join('');
  return `<ScheduleByMonth><DaysOfMonth>${days}</DaysOfMonth><Months>${months}</Months></ScheduleByMonth>`;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Quoting for the Windows command line (CommandLineToArgvW rules). */
export function windowsQuote(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}
