import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE, evalText } from '../helpers.ts';
import { MONITOR_KINDS } from '../../../src/language/catalog.ts';
import { monitorPlan } from '../../../src/plan/statements/monitors.ts';
import { statementOf } from '../unit.ts';

describe('monitor', () => {
  it('reads schedules and monitors', async () => {
    const script = `job j {\n  ${BASE}\n  schedule "30 23 * * 1-5"\n  schedule "0 12 * * 6"\n  monitor healthchecks "https://hc.example/ping/abc"\n  monitor textfile "metrics.prom" { on failure }\n}`;
    const result = await evalText(script);
    const j = result.plan!.jobs[0]!;
    expect(j.schedules).toEqual(['30 23 * * 1-5', '0 12 * * 6']);
    expect(j.monitors).toMatchObject([
      { kind: 'healthchecks', location: 'https://hc.example/ping/abc', on: ['start', 'success', 'partial', 'failure'] },
      { kind: 'textfile', location: join(result.dir, 'metrics.prom'), on: ['failure'] },
    ]);
  });
});

describe('monitorPlan on its own', () => {
  it('takes the default events of its kind unless `on` names them', () => {
    const plain = statementOf('  monitor webhook "https://h/x"');
    const defaults = monitorPlan(plain.ev, plain.setting, plain.spec, plain.ctx);
    expect(defaults?.on).toEqual(MONITOR_KINDS.find((m) => m.name === 'webhook')!.defaultEvents);
    const chosen = statementOf('  monitor webhook "https://h/x" {\n    on failure\n  }');
    expect(monitorPlan(chosen.ev, chosen.setting, chosen.spec, chosen.ctx)).toEqual({ kind: 'webhook', location: 'https://h/x', on: ['failure'], origin: '/scripts/main.still:2:3' });
  });

  it('resolves a textfile against the script folder', () => {
    const { ev, setting, spec, ctx } = statementOf('  monitor textfile "m.prom"');
    expect(monitorPlan(ev, setting, spec, ctx)?.location).toBe('/scripts/m.prom');
  });
});
