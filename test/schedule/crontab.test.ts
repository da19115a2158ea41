import { expect, it } from 'vitest';
import { cronMarker, crontabLines, shQuote, updateCrontab } from '../../src/schedule/crontab.ts';
import { scheduledJob } from '../../src/schedule/job.ts';

const job = scheduledJob('ledger', '/srv/scripts/nightly.still', ['30 23 * * 1-5', '0 12 * * 6'], '/usr/bin/node');

it('one line per schedule, marked with the job and script', () => {
  const lines = crontabLines(job, '/var/log/stillpoint.log');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^30 23 \* \* 1-5 cd \/srv\/scripts && \/usr\/bin\/node \S+stillpoint\.js run \/srv\/scripts\/nightly\.still --job ledger --plain >> \/var\/log\/stillpoint\.log 2>&1 # stillpoint:ledger:\/srv\/scripts\/nightly\.still$/);
});

it('install replaces only its own lines; remove deletes only them', () => {
  const foreign = 'MAILTO=ops@example.org\n0 5 * * * /usr/local/bin/rotate-logs\n';
  const installed = updateCrontab(foreign, job, crontabLines(job, '/tmp/log'));
  const again = updateCrontab(installed, job, crontabLines(job, '/tmp/log'));
  expect(again).toBe(installed);
  expect(installed.startsWith(foreign)).toBe(true);
  const removed = updateCrontab(again, job, []);
  expect(removed).toBe(foreign);
  expect(removed).not.toContain(cronMarker(job));
});

it('quotes words for sh', () => {
  expect(shQuote('/plain/path')).toBe('/plain/path');
  expect(shQuote("it's here")).toBe(`'it'\\''s here'`);
});
