import { describe, expect, it } from 'vitest';
import { BASE, errors, job } from '../helpers.ts';
import { quiescePlan } from '../../../src/plan/statements/quiesce.ts';
import { statementOf } from '../unit.ts';

describe('quiesce', () => {
  it('reads a quiesce block written on one line', async () => {
    const j = await job(`job j {\n  ${BASE}\n  quiesce { idle 3s  within 2m  on-timeout fail }\n}`);
    expect(j.quiesce).toEqual({ idleMs: 3000, withinMs: 120_000, onTimeout: 'fail' });
  });

  it('requires idle and within in quiesce', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  quiesce { idle 3s }\n}`)).toEqual(['error quiesce-incomplete 5:3-5:10 `quiesce` needs `idle` and `within`']);
  });
});

describe('quiescePlan on its own', () => {
  it('reads idle, within and on-timeout, with proceed by default', () => {
    const full = statementOf('  quiesce {\n    idle 2s\n    within 1m\n    on-timeout fail\n  }');
    expect(quiescePlan(full.ev, full.setting, full.ctx)).toEqual({ idleMs: 2_000, withinMs: 60_000, onTimeout: 'fail' });
    const short = statementOf('  quiesce {\n    idle 2s\n    within 1m\n  }');
    expect(quiescePlan(short.ev, short.setting, short.ctx)?.onTimeout).toBe('proceed');
  });

  it('gives nothing and one error when within is missing', () => {
    const { ev, setting, ctx } = statementOf('  quiesce {\n    idle 2s\n  }');
    expect(quiescePlan(ev, setting, ctx)).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['quiesce-incomplete']);
  });
});
