import { describe, expect, it } from 'vitest';
import { BASE, brief, errors, evalText } from '../helpers.ts';
import { emptyParts } from '../../../src/plan/job-parts.ts';
import { scheduleStatement } from '../../../src/plan/statements/schedule.ts';
import { statementOf } from '../unit.ts';

describe('schedule', () => {
  it('reports a schedule that is not 5-field cron', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  schedule "every night"\n}`)).toEqual(['error invalid-schedule 5:12-5:25 `every night` is not a valid cron expression']);
  });

  it('reports a schedule whose fields are out of range, with what the scheduler\'s parser says', async () => {
    for (const [cron, reason] of [
      ['61 * * * *', 'got value 61 expected range 0-59'],
      ['0 24 * * *', 'got value 24 expected range 0-23'],
      ['0 0 32 * *', 'got value 32 expected range 1-31'],
      ['0 0 * 13 *', 'got value 13 expected range 1-12'],
      ['*/0 * * * *', 'cannot repeat at every 0 time'],
      ['0 0 L * *', 'uses L, W, # or ?'],
    ]) {
      const result = await evalText(`job j {\n  ${BASE}\n  schedule "${cron}"\n}`);
      expect(result.diagnostics.map(brief), cron).toEqual([`error invalid-schedule 5:12-5:${14 + cron.length} \`${cron}\` is not a valid cron expression`]);
      expect(result.diagnostics[0]!.detail, cron).toContain(reason);
    }
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
