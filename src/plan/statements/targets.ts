// `target KIND ...`: where the snapshot is copied.

import type { Setting } from '../../language/ast.ts';
import type { StatementSpec } from '../../language/catalog.ts';
import { argumentGroups, argvItems, durationArgument, itemText, listArgument, oneArgument, plainTexts, scriptPath, sequenceArguments } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { expectType } from '../expressions.ts';
import { type Ctx, Scope } from '../scope.ts';
import { keepPlan } from './keep.ts';
import type { ArgvItem, KeepPlan, PlanText, TargetPlan } from '../types.ts';
import { walk } from '../walk.ts';
import type { Draft } from '../job-parts.ts';

export function targetPlan(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx): Draft<TargetPlan> | undefined {
  const items = sequenceArguments(ev, s, spec, 2, 2, 'a kind and where to');
  if (!items || spec.args.kind !== 'sequence') return undefined;
  const kind = itemText(ev, items[0]!, spec.args.items[0]!, ctx) as TargetPlan['kind'] | undefined;
  if (kind === undefined) return undefined;
  // A bad argument is reported, and so is what is wrong inside the block.
  const argument = expectType(ev, items[1]!, ['string'], ctx);
  const origin = ev.origin(s.range);
  let keep: KeepPlan | undefined;
  let password: PlanText | undefined;
  let stallTimeoutMs: number | undefined;
  const tags: string[] = [];
  const args: ArgvItem[] = [];
  const failuresBefore = ev.failures;
  const failed = () => ev.failures > failuresBefore;
  if (s.body?.kind === 'Block') {
    const targetCtx: Ctx = { ...ctx, scope: new Scope(ctx.scope), snapshotPaths: kind === 'exec' };
    walk(ev, s.body.statements, `target:${kind}`, targetCtx, new Map(), (setting, c, optionSpec) => {
      switch (setting.keyword.name) {
        case 'keep':
          keep = keepPlan(ev, setting, c);
          return;
        case 'stall-timeout':
          stallTimeoutMs = durationArgument(ev, setting, optionSpec, c);
          return;
        case 'password': {
          const value = oneArgument(ev, setting, optionSpec, c);
          if (value?.type === 'string') password = ev.planText(value);
          return;
        }
        case 'tags': {
          const exprs = argumentGroups(ev, setting, optionSpec);
          const list = exprs && plainTexts(ev, listArgument(ev, setting, optionSpec, c), exprs, 'a tag');
          if (list) tags.push(...list);
          return;
        }
        case 'args': {
          const exprs = argumentGroups(ev, setting, optionSpec);
          const list = exprs && argvItems(ev, exprs, c);
          if (list) args.push(...list);
          return;
        }
      }
    });
  }
  if (failed() || argument?.type !== 'string') return undefined;
  const stall = stallTimeoutMs === undefined ? {} : { stallTimeoutMs };
  switch (kind) {
    case 'tree': {
      const path = scriptPath(ev, argument, items[1]!, 'a target path');
      return path === undefined ? undefined : { kind, path, ...(keep ? { keep } : {}), origin };
    }
    case 'restic':
      return { kind, repository: ev.planText(argument), ...(password !== undefined ? { password } : {}), tags, args: args as PlanText[], ...(keep ? { keep } : {}), ...stall, origin };
    case 'exec':
      return { kind, program: ev.planText(argument), args, ...stall, origin };
  }
}
