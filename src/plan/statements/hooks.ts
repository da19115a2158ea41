// `hook STAGE ...`: programs and code blocks run at a stage of the lifecycle.

import type { Block, Expr, RawBlock, Setting } from '../../language/ast.ts';
import { HOOK_STAGES, statementSpec, type StatementSpec } from '../../language/catalog.ts';
import type { SourceRange } from '../../language/diagnostic.ts';
import { argumentGroups, argvItems, boolArgument, durationArgument, itemText, oneArgument, scriptPath } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { expectType, textOf } from '../expressions.ts';
import { DEFAULTS } from '../plan-defaults.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { ArgvItem, HookPlan, HookStage } from '../types.ts';
import { walk } from '../walk.ts';
import type { Draft } from '../job-parts.ts';

export function hookPlan(ev: Evaluation, s: Setting, ctx: Ctx): Draft<HookPlan> | undefined {
  const spec = statementSpec('job', 'hook')!;
  if (spec.args.kind !== 'sequence') return undefined;
  const [first = [], ...more] = s.args;
  if (first.length === 0) {
    ev.error('missing-argument', '`hook` needs a stage', `Write it as \`hook before-backup run "program", "argument"\`; the stages are: ${HOOK_STAGES.map((h) => h.name).join(', ')}.`, s.keyword.range);
    return undefined;
  }
  const stage = itemText(ev, first[0]!, spec.args.items[0]!, ctx) as HookStage | undefined;
  const hookCtx: Ctx = { ...ctx, scope: new Scope(ctx.scope) };
  const newHook = (at: HookStage): Draft<HookPlan> => ({ stage: at, actions: [], timeoutMs: DEFAULTS.hookTimeoutMs, allowFailure: false, cwd: ev.baseDir(s.range), env: {}, origin: ev.origin(s.range) });
  if (stage === undefined) {
    // The stage is reported, and so is what is wrong inside the block: checked as in
    // after-snapshot, the stage that allows the most (snapshot_paths).
    if (s.body?.kind === 'Block') hookBlock(ev, s.body, hookCtx, newHook('after-snapshot'));
    return undefined;
  }
  const hook = newHook(stage);
  const failuresBefore = ev.failures;
  const failed = () => ev.failures > failuresBefore;
  const actionExpr = first[1];
  if (actionExpr) {
    const action = itemText(ev, actionExpr, spec.args.items[1]!, ctx);
    if (action === undefined) return undefined;
    if (action === 'run') {
      const argv = runArgv(ev, [...first.slice(2), ...more.flat()], stage, hookCtx, actionExpr.range);
      if (!argv) return undefined;
      hook.actions.push({ kind: 'run', argv });
    } else {
      const extra = first[2] ?? more[0]?.[0];
      if (extra) {
        ev.error('unexpected-argument', `\`${action}\` takes a block of code, not arguments`, `Write it as \`hook ${stage} ${action} { ... }\`.`, extra.range);
        return undefined;
      }
      if (s.body?.kind !== 'RawBlock') {
        ev.error('missing-block', `\`${action}\` needs a block of code`, `Write it as \`hook ${stage} ${action} { ... }\`.`, actionExpr.range);
        return undefined;
      }
      hook.actions.push({ kind: action as 'sh' | 'pwsh' | 'cmd', code: s.body.code, line: s.body.codeLine });
      return hook;
    }
  } else if (more.length > 0) {
    ev.error('unexpected-argument', '`hook` takes its stage, then an action', `Write it as \`hook ${stage} run "program", "argument"\`.`, more[0]![0]!.range);
    return undefined;
  }
  if (s.body?.kind === 'Block') {
    hookBlock(ev, s.body, hookCtx, hook);
  } else if (s.body?.kind === 'RawBlock') {
    ev.error('unexpected-block', 'a block of code needs its language', `Write \`hook ${stage} sh { ... }\` (or \`pwsh\`, \`cmd\`).`, s.body.range);
    return undefined;
  }
  if (failed()) return undefined;
  if (hook.actions.length === 0) {
    ev.error('hook-without-action', `this \`${stage}\` hook has nothing to run`, `Give it an action: \`hook ${stage} run "program", "argument"\` or \`hook ${stage} { sh { ... } }\`.`, s.keyword.range);
    return undefined;
  }
  return hook;
}

function runArgv(ev: Evaluation, exprs: readonly Expr[], stage: HookStage, ctx: Ctx, at: SourceRange): ArgvItem[] | undefined {
  const argv = argvItems(ev, exprs, { ...ctx, snapshotPaths: stage === 'after-snapshot' });
  if (argv?.length === 0) {
    ev.error('missing-argument', '`run` needs a program', 'Write it as `run "program", "argument", ...`.', at);
    return undefined;
  }
  return argv;
}

function hookStatement(ev: Evaluation, s: Setting, ctx: Ctx, spec: StatementSpec, hook: Draft<HookPlan>, stage: HookStage) {
  const key = s.keyword.name;
  switch (key) {
    case 'run': {
      const exprs = argumentGroups(ev, s, spec);
      const argv = exprs && runArgv(ev, exprs, stage, ctx, s.keyword.range);
      if (argv) hook.actions.push({ kind: 'run', argv });
      return;
    }
    case 'sh':
    case 'pwsh':
    case 'cmd':
      hook.actions.push({ kind: key, code: (s.body as RawBlock).code, line: (s.body as RawBlock).codeLine });
      return;
    case 'timeout': {
      const ms = durationArgument(ev, s, spec, ctx);
      if (ms !== undefined) hook.timeoutMs = ms;
      return;
    }
    case 'stall-timeout': {
      const ms = durationArgument(ev, s, spec, ctx);
      if (ms !== undefined) hook.stallTimeoutMs = ms;
      return;
    }
    case 'allow-failure': {
      const b = boolArgument(ev, s, spec, ctx);
      if (b !== undefined) hook.allowFailure = b;
      return;
    }
    case 'cwd': {
      const value = oneArgument(ev, s, spec, ctx);
      const path = value?.type === 'string' ? scriptPath(ev, value, s.args[0]![0]!, 'a folder') : undefined;
      if (path !== undefined) hook.cwd = path;
      return;
    }
    case 'env':
      hookEnv(ev, s, ctx, hook);
      return;
  }
}

function hookEnv(ev: Evaluation, s: Setting, ctx: Ctx, hook: Draft<HookPlan>) {
  const nameExpr = s.args[0]?.[0];
  if (!nameExpr || !s.assignment || s.args.length > 1 || s.args[0]!.length > 1) {
    ev.error('invalid-env', '`env` sets one variable', 'Write it as `env NAME = "value"`.', (s.args[0]?.[1] ?? nameExpr ?? s.keyword).range);
    return;
  }
  const name = itemText(ev, nameExpr, { kind: 'name', name: 'NAME' }, ctx);
  if (name === undefined) return;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    ev.error('invalid-env', `\`${name}\` is not a valid environment variable name`, 'Use letters, digits and `_`, not starting with a digit: `env BACKUP_TARGET = "..."`.', nameExpr.range);
    return;
  }
  if (name in hook.env) {
    ev.error('duplicate-env', `\`${name}\` is already set for this hook`, 'Set each variable once.', nameExpr.range);
    return;
  }
  const value = expectType(ev, s.assignment, ['string', 'number', 'bool'], ctx);
  if (value !== undefined) hook.env[name] = ev.planText({ type: 'string', ...textOf(ev, value, s.assignment)! });
}

function hookBlock(ev: Evaluation, body: Block, ctx: Ctx, hook: Draft<HookPlan>) {
  walk(ev, body.statements, 'hook', ctx, new Map(), (setting, c, optionSpec) => {
    hookStatement(ev, setting, c, optionSpec, hook, hook.stage);
  });
}
