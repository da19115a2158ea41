// Cron expressions of `schedule "..."`: five fields (minute hour day-of-month month
// day-of-week), parsed by cron-parser. Everything that turns a schedule into something else
// (systemd OnCalendar, Task Scheduler triggers, the next run times) starts from CronSchedule.

import { CronExpressionParser } from 'cron-parser';

export interface CronSchedule {
  expression: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday ... 6 = Saturday. */
  daysOfWeek: number[];
  /**
   * Cron's day rule: when neither day field starts with `*`, a day matches if EITHER field
   * matches; otherwise both must (so `*\/2` in one field still restricts, with AND).
   */
  daysMatchEither: boolean;
  /** The field does not cover its whole range. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

export class CronError extends Error {
  readonly expression: string;
  /** What is wrong, without the expression. */
  readonly reason: string;
  constructor(expression: string, reason: string) {
    super(`schedule "${expression}": ${reason}`);
    this.name = 'CronError';
    this.expression = expression;
    this.reason = reason;
  }
}

const UNSUPPORTED = /[LW#?]/;

/** Why `expression` is not a cron expression Stillpoint runs, or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (error) {
    if (error instanceof CronError) return error.reason;
    throw error;
  }
}

export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronError(expression, `has ${fields.length} fields; write five: minute hour day-of-month month day-of-week, e.g. "30 23 * * 1-5"`);
  }
  if (UNSUPPORTED.test(expression)) {
    throw new CronError(expression, 'uses L, W, # or ?, which Stillpoint does not support; use plain numbers, ranges (1-5), lists (1,15) and steps (*/15)');
  }
  let parsed;
  try {
    parsed = CronExpressionParser.parse(expression, { tz: undefined });
  } catch (error) {
    throw new CronError(expression, (error as Error).message);
  }
  const f = parsed.fields;
  const numbers = (values: readonly (number | string)[]) => values.map(Number);
  const daysOfWeek = [...new Set(numbers(f.dayOfWeek.values).map((d) => d % 7))].sort((a, b) => a - b);
  const daysOfMonth = numbers(f.dayOfMonth.values);
  return {
    expression: expression.trim(),
    minutes: numbers(f.minute.values),
    hours: numbers(f.hour.values),
    daysOfMonth,
    months: numbers(f.month.values),
    daysOfWeek,
    daysMatchEither: !fields[2]!.startsWith('*') && !fields[4]!.startsWith('*'),
    domRestricted: daysOfMonth.length < 31,
    dowRestricted: daysOfWeek.length < 7,
  };
}

/**
 * The next `count` run times after `from`, in the machine's local time zone, with cron's own
 * day rule. cron-parser ORs the two day fields whenever both restrict (`*\/2` too), while
 * cron (Vixie, cronie) and systemd AND them when either field starts with `*`: in that case the
 * days are taken from the day-of-month alone and filtered by the weekdays.
 */
export function nextRuns(expression: string, count: number, from: Date = new Date()): Date[] {
  const schedule = parseCron(expression);
  if (schedule.daysMatchEither || !schedule.domRestricted || !schedule.dowRestricted) {
    return CronExpressionParser.parse(expression, { currentDate: from })
      .take(count)
      .map((d) => d.toDate());
  }
  const [minute, hour, dom, month] = schedule.expression.split(/\s+/);
  const byDayOfMonth = CronExpressionParser.parse(`${minute} ${hour} ${dom} ${month} *`, { currentDate: from });
  const runs: Date[] = [];
  // Every weekday recurs within a few years of days of the month: a bounded search.
  for (let i = 0; i < 100_000 && runs.length < count && byDayOfMonth.hasNext(); i++) {
    const next = byDayOfMonth.next().toDate();
    if (schedule.daysOfWeek.includes(next.getDay())) runs.push(next);
  }
  return runs;
}
