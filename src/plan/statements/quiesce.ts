// `quiesce { idle ... within ... }`: wait for the volumes to go quiet before the freeze.

import type { Block, Setting } from '../../language/ast.ts';
import { durationArgument, wordArgument } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { QuiescePlan } from '../types.ts';
import { walk } from '../walk.ts';

export function quiescePlan(ev: Evaluation, s: Setting, ctx: Ctx): QuiescePlan | undefined {
  const found: { idle?: number; within?: number; onTimeout?: 'proceed' | 'fail' } = {};
  const failuresBefore = ev.failures;
  const failed = () => ev.failures > failuresBefore;
  walk(ev, (s.body as Block).statements, 'quiesce', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, spec) => {
    const key = setting.keyword.name;
    if (key === 'on-timeout') found.onTimeout = wordArgument(ev, setting, spec, c) as 'proceed' | 'fail' | undefined;
    else {
      const ms = durationArgument(ev, setting, spec, c);
      found[key as 'idle' | 'within'] = ms;
    }
  });
  if (failed()) return undefined;
  if (found.idle === undefined || found.within === undefined) {
    ev.error('quiesce-incomplete', '`quiesce` needs `idle` and `within`', 'Write it as `quiesce { idle 3s  within 2m }`: wait for 3 seconds without writes, at most 2 minutes.', s.keyword.range);
    return undefined;
  }
  return { idleMs: found.idle, withinMs: found.within, onTimeout: found.onTimeout ?? 'proceed' };
}
