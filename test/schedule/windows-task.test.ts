import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseCron } from '../../src/base/cron.ts';
import { scheduledJob } from '../../src/schedule/job.ts';
import { calendarTriggers, taskName, taskXml, windowsQuote } from '../../src/schedule/windows-task.ts';

const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: false });

function triggersOf(expression: string) {
  const job = scheduledJob('Workstation', 'C:\\Backups\\nightly.still', [expression], 'C:\\Program Files\\nodejs\\node.exe', 'win32');
  const xml = taskXml(job);
  expect(XMLValidator.validate(xml)).toBe(true);
  const task = parser.parse(xml).Task;
  const t = task.Triggers.CalendarTrigger;
  return { task, triggers: Array.isArray(t) ? t : [t], xml, job };
}

describe('Task Scheduler definition', () => {
  it('has the fields Windows requires, and runs with highest privileges', () => {
    const { task, job } = triggersOf('30 23 * * 1-5');
    expect(task['@_xmlns']).toBe('http://schemas.microsoft.com/windows/2004/02/mit/task');
    expect(task['@_version']).toBe('1.4');
    expect(task.RegistrationInfo.URI).toBe(taskName(job));
    expect(task.Principals.Principal.RunLevel).toBe('HighestAvailable');
    expect(task.Principals.Principal['@_id']).toBe(task.Actions['@_Context']);
    expect(task.Actions.Exec.Command).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(task.Actions.Exec.Arguments).toMatch(/run "?C:\\Backups\\nightly\.still"? --job Workstation --plain$/);
    expect(task.Settings.MultipleInstancesPolicy).toBe('IgnoreNew');
  });

  it('weekdays become one weekly trigger at the time, with StartBoundary in xs:dateTime form', () => {
    const { triggers } = triggersOf('30 23 * * 1-5');
    expect(triggers).toHaveLength(1);
    expect(triggers[0].StartBoundary).toMatch(/^\d{4}-\d\d-\d\dT23:30:00$/);
    expect(Object.keys(triggers[0].ScheduleByWeek.DaysOfWeek)).toEqual(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']);
  });

  it('trigger children follow the schema sequence: Enabled, StartBoundary, Repetition, ScheduleBy*', () => {
    for (const xml of calendarTriggers(parseCron('*/15 * * * *'))) {
      const order = [...xml.matchAll(/<(Enabled|StartBoundary|Repetition|ScheduleBy\w+)>/g)].map((m) => m[1]);
      expect(order).toEqual(['Enabled', 'StartBoundary', 'Repetition', 'ScheduleByDay']);
    }
  });

  it('an even step all day becomes one repeating trigger', () => {
    const { triggers } = triggersOf('*/15 * * * *');
    expect(triggers).toHaveLength(1);
    expect(triggers[0].Repetition).toEqual({ Interval: 'PT15M', Duration: 'P1D' });
  });

  it('both day fields give a monthly and a weekly trigger per time (Task Scheduler ORs them, like cron)', () => {
    const { triggers } = triggersOf('0 4,16 13 * 5');
    expect(triggers).toHaveLength(4);
    expect(triggers.filter((t) => t.ScheduleByMonth).map((t) => t.ScheduleByMonth.DaysOfMonth.Day)).toEqual([13, 13]);
  });

  it('refuses schedules it cannot express, saying what to write instead', () => {
    expect(() => calendarTriggers(parseCron('7,11,13 * * * *'))).toThrow(/irregular times.*even step/);
    expect(() => calendarTriggers(parseCron('0 0 */2 * 1'))).toThrow(/both its day-of-month and its day-of-week/);
  });
});

describe('windowsQuote (CommandLineToArgvW)', () => {
  it.each([
    ['plain', 'plain'],
    ['with space', '"with space"'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
  ])('%s', (input, quoted) => {
    expect(windowsQuote(input)).toBe(quoted);
  });
});
