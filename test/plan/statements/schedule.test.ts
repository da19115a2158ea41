import { describe, expect, it } from 'vitest';
import { BASE, errors } from '../helpers.ts';
import { emptyParts } from '../../../src/plan/job-parts.ts';
import { scheduleStatement } from '../../../src/plan/statements/schedule.ts';
import { statementOf } from '../unit.ts';

describe('schedule', () => {
  it('reports a schedule that is not 5-field cron', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  schedule "every night"\n}`)).toEqual(['error invalid-schedule 5:12-5:25 `every night` is not a 5-field cron expression']);
  });
});

describe('scheduleStatement on its own', () => {
  it('adds each 5-field cron expression to the job, and refuses a secret', () => {
    const parts = emptyParts();
    for (const cron of ['30 23 * * 1-5', '0 */4 * * *']) {
      const { ev, setting, spec, ctx } = statementOf(`  schedule "${cron}"`);
      scheduleStatement(ev, setting, spec, ctx, parts);
      expect(ev.diagnostics).toEqual([]);
    }
    expect(parts.schedules).toEqual(['30 23 * * 1-5', '0 */4 * * *']);
    const secret = statementOf('  schedule secret("0 1 * * *")');
    scheduleStatement(secret.ev, secret.setting, secret.spec, secret.ctx, parts);
    expect(secret.ev.diagnostics.map((d) => d.code)).toEqual(['secret-not-allowed']);
    expect(parts.schedules).toHaveLength(2);
  });
});
