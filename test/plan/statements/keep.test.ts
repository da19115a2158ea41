import { describe, expect, it } from 'vitest';
import type { Block, Setting } from '../../../src/language/ast.ts';
import { keepPlan } from '../../../src/plan/statements/keep.ts';
import { statementOf } from '../unit.ts';

/** The `keep` statement inside `target tree "/b" { ... }`. */
function keepOf(rules: string) {
  const { ev, setting, ctx } = statementOf(`  target tree "/b" {\n    keep ${rules}\n  }`);
  return { ev, ctx, keep: (setting.body as Block).statements[0] as Setting };
}

describe('keepPlan', () => {
  it('reads each rule with its count', () => {
    const { ev, ctx, keep } = keepOf('last 16, daily 7, weekly 4');
    expect(keepPlan(ev, keep, ctx)).toEqual({ last: 16, daily: 7, weekly: 4 });
    expect(ev.diagnostics).toEqual([]);
  });

  it.each([
    ['daily 2, daily 3', 'duplicate-keep-rule'],
    ['daly 7', 'unknown-keep-rule'],
    ['daily', 'missing-argument'],
    ['daily 0', 'invalid-number'],
    ['daily 1.5', 'invalid-number'],
  ])('refuses `keep %s` (%s)', (rules, code) => {
    const { ev, ctx, keep } = keepOf(rules);
    expect(keepPlan(ev, keep, ctx)).toBeUndefined();
    expect(ev.diagnostics.map((d) => d.code)).toEqual([code]);
  });
});
