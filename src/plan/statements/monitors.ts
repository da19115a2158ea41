// `monitor KIND ...`: who hears about a run.

import type { Setting } from '../../language/ast.ts';
import { MONITOR_KINDS, type StatementSpec } from '../../language/catalog.ts';
import { itemText, listArgument, scriptPath, sequenceArguments } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { expectType } from '../expressions.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { MonitorEvent, MonitorPlan } from '../types.ts';
import type { StringValue } from '../values.ts';
import { walk } from '../walk.ts';

export function monitorPlan(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx): MonitorPlan | undefined {
  const items = sequenceArguments(ev, s, spec, 2, 2, 'a kind and a URL or path');
  if (!items || spec.args.kind !== 'sequence') return undefined;
  const kind = itemText(ev, items[0]!, spec.args.items[0]!, ctx) as MonitorPlan['kind'] | undefined;
  if (kind === undefined) return undefined;
  // A bad argument is reported, and so is what is wrong inside the block.
  const argument = expectType(ev, items[1]!, ['string'], ctx);
  let on: MonitorEvent[] | undefined = [...MONITOR_KINDS.find((m) => m.name === kind)!.defaultEvents];
  if (s.body?.kind === 'Block') {
    walk(ev, s.body.statements, 'monitor', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, optionSpec) => {
      on = listArgument(ev, setting, optionSpec, c)?.map((v) => (v as StringValue).value as MonitorEvent);
    });
  }
  if (!on || argument?.type !== 'string') return undefined;
  const location = kind === 'textfile' ? scriptPath(ev, argument, items[1]!, 'a metrics file') : ev.planText(argument);
  return location === undefined ? undefined : { kind, location, on, origin: ev.origin(s.range) };
}
