import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nextRuns, parseCron } from '../../src/base/cron.ts';
import { scheduledJob } from '../../src/schedule/job.ts';
import { onCalendar, serviceUnit, timerUnit, unitName } from '../../src/schedule/systemd.ts';
import { command, describeWith } from '../support/requirements.ts';

const EDGE_CASES = [
  '30 23 * * 1-5',
  '*/15 * * * *',
  '0 */6 * * *',
  '5,35 8-18/2 * * *',
  '0 3 1,15 * *',
  '0 3 1 1,7 *',
  '0 4 13 * 5', // both day fields: cron runs on the 13th OR on Fridays
  '0 0 * * 0',
  '0 0 * * 7',
  '15 2 */10 * *',
  '0 0 */2 * 1', // a starred day field restricts with AND
  '59 23 31 12 *',
];

it('OnCalendar for a plain weekday schedule', () => {
  expect(onCalendar(parseCron('30 23 * * 1-5'))).toEqual(['Mon,Tue,Wed,Thu,Fri *-*-* 23:30:00']);
});

it('both day fields restricted become two OnCalendar lines, as cron ORs them', () => {
  expect(onCalendar(parseCron('0 4 13 * 5'))).toEqual(['*-*-13 04:00:00', 'Fri *-*-* 04:00:00']);
});

it('the service runs the job by name with absolute paths', () => {
  const job = scheduledJob('ledger', 'scripts-examples/quickstart.still', ['0 1 * * *'], '/usr/bin/node');
  const unit = serviceUnit(job);
  expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/\S+\/bin\/stillpoint\.js run \/\S+\/quickstart\.still --job ledger --plain$/m);
  expect(unitName(job)).toBe('stillpoint-ledger');
  expect(timerUnit(job)).toContain('Unit=stillpoint-ledger.service');
});

describeWith('systemd agrees with cron', [command('systemd-analyze', 'apt-get install systemd')], () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-units-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(EDGE_CASES)('%s: the next 12 elapses of the timer equal cron\'s next 12 runs', (expression) => {
    const base = new Date('2026-11-23T10:07:00Z');
    const fromCron = nextRuns(expression, 12, base).map((d) => d.toISOString());
    const fromSystemd = onCalendar(parseCron(expression))
      .flatMap((spec) => systemdElapses(spec, base, 12))
      .sort()
      .filter((v, i, all) => all.indexOf(v) === i)
      .slice(0, 12);
    expect(fromSystemd).toEqual(fromCron);
  });

  it('generated units pass systemd-analyze verify', () => {
    const job = scheduledJob('nightly "ledger"', path.resolve('scripts-examples/quickstart.still'), ['30 23 * * 1-5', '0 4 13 * 5']);
    const base = path.join(dir, unitName(job));
    writeFileSync(`${base}.service`, serviceUnit(job));
    writeFileSync(`${base}.timer`, timerUnit(job));
    // verify exits non-zero and names the file on any bad setting (a calendar it cannot parse, say).
    const out = execFileSync('systemd-analyze', ['verify', `${base}.service`, `${base}.timer`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    expect(out).not.toMatch(/Failed|Refusing|bad/i);
  });
});

function systemdElapses(spec: string, base: Date, iterations: number): string[] {
  const out = execFileSync('systemd-analyze', ['calendar', `--iterations=${iterations}`, `--base-time=@${Math.floor(base.getTime() / 1000)}`, spec], {
    encoding: 'utf8',
    env: { ...process.env, TZ: process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone },
  });
  return [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/g)].map((m) => new Date(m[1]!.replace(' ', 'T')).toISOString());
}
