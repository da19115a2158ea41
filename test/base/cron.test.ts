import { describe, expect, it } from 'vitest';
import { CronError, nextRuns, parseCron } from '../../src/base/cron.ts';

describe('parseCron', () => {
  it('expands ranges, steps and lists into values', () => {
    const s = parseCron('*/15 8-10 1,15 * 1-5');
    expect(s.minutes).toEqual([0, 15, 30, 45]);
    expect(s.hours).toEqual([8, 9, 10]);
    expect(s.daysOfMonth).toEqual([1, 15]);
    expect(s.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(s.daysMatchEither).toBe(true);
  });

  it('treats 7 as Sunday', () => {
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
  });

  it('a day field that starts with * still restricts, but ANDs with the other (cron\'s rule)', () => {
    const s = parseCron('0 0 */2 * 1');
    expect(s.domRestricted).toBe(true);
    expect(s.dowRestricted).toBe(true);
    expect(s.daysMatchEither).toBe(false);
    const runs = nextRuns('0 0 */2 * 1', 3, new Date('2026-11-23T10:00:00'));
    for (const run of runs) {
      expect(run.getDay()).toBe(1);
      expect(run.getDate() % 2).toBe(1);
    }
  });

  it.each([
    ['0 0 * *', /has 4 fields/],
    ['0 0 0 * * *', /has 6 fields/],
    ['0 0 L * *', /L, W, # or \?/],
    ['61 0 * * *', /schedule "61 0 \* \* \*"/],
  ])('rejects %s with a message that says what to write', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError);
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('nextRuns', () => {
  it('gives the next run times in order', () => {
    const from = new Date('2026-11-20T12:00:00'); // a Friday, local time
    const runs = nextRuns('30 23 * * 1-5', 3, from);
    expect(runs.map((d) => [d.getDay(), d.getHours(), d.getMinutes()])).toEqual([
      [5, 23, 30],
      [1, 23, 30],
      [2, 23, 30],
    ]);
  });
});
