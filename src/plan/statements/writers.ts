// `writer NAME KIND ...`: the applications to bring to a consistent state around the snapshot.

import type { Setting } from '../../language/ast.ts';
import { type StatementSpec, WRITER_KINDS } from '../../language/catalog.ts';
import { argumentGroups, argvItems, boolArgument, countArgument, durationArgument, itemText, oneArgument, scriptPath, sequenceArguments } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { expectType } from '../expressions.ts';
import { DEFAULTS } from '../plan-defaults.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { CommandPlan, PlanText, WriterKind, WriterPlan } from '../types.ts';
import { walk } from '../walk.ts';
import type { Draft } from '../job-parts.ts';

const WRITER_KIND_NAMES = new Set<string>(WRITER_KINDS.map((w) => w.name));

export function writerPlan(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx): Draft<WriterPlan> | undefined {
  const items = sequenceArguments(ev, s, spec, 2, 3, 'a name and a kind');
  if (!items || spec.args.kind !== 'sequence') return undefined;
  const [first, second] = items;
  if (first!.kind === 'Name' && WRITER_KIND_NAMES.has(first!.name) && second!.kind !== 'Name') {
    ev.error('writer-without-name', 'a writer needs a name before its kind', `Name it, so that reports and vetoes can say which writer: \`writer "db" ${first!.name} ...\`.`, first!.range);
    return undefined;
  }
  const name = itemText(ev, items[0]!, spec.args.items[0]!, ctx);
  const kind = itemText(ev, items[1]!, spec.args.items[1]!, ctx) as WriterKind | undefined;
  if (name === undefined || kind === undefined) return undefined;
  const argument = items[2];
  const argumentName = kind === 'sqlite' ? 'PATH' : kind === 'postgres' ? 'URL' : undefined;
  if (argumentName && !argument) {
    ev.error('missing-argument', `a ${kind} writer needs its ${kind === 'sqlite' ? 'database file' : 'connection URL'}`, kind === 'sqlite' ? `Write it as \`writer "${name}" sqlite "/srv/app/data.db"\`.` : `Write it as \`writer "${name}" postgres "postgres://backup@localhost/app"\`.`, items[1]!.range);
    return undefined;
  }
  if (!argumentName && argument) {
    ev.error('unexpected-argument', `a ${kind} writer takes its settings in a block`, `Write it as \`writer "${name}" ${kind} { ... }\`.`, argument.range);
    return undefined;
  }
  const common: { name: string; timeoutMs: number; required: boolean; origin: string } = { name, timeoutMs: DEFAULTS.writerTimeoutMs, required: true, origin: ev.origin(s.range) };
  const options = new Map<string, { setting: Setting; spec: StatementSpec; ctx: Ctx }>();
  const steps = new Map<string, CommandPlan>();
  const failuresBefore = ev.failures;
  const failed = () => ev.failures > failuresBefore;
  if (s.body?.kind === 'Block') {
    walk(ev, s.body.statements, `writer:${kind}`, { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (setting, c, optionSpec) => {
      const key = setting.keyword.name;
      if (kind === 'command' && !['timeout', 'required', 'stall-timeout'].includes(key)) {
        const command = commandPlan(ev, setting, optionSpec, c);
        if (command) steps.set(key, command);
        return;
      }
      options.set(key, { setting, spec: optionSpec, ctx: c });
    });
  }
  for (const [key, option] of options) {
    const { setting, spec: optionSpec, ctx: c } = option;
    if (key === 'timeout') {
      const ms = durationArgument(ev, setting, optionSpec, c);
      if (ms !== undefined) common.timeoutMs = ms;
    } else if (key === 'required') {
      const b = boolArgument(ev, setting, optionSpec, c);
      if (b !== undefined) common.required = b;
    }
  }
  switch (kind) {
    case 'sqlite': {
      const value = expectType(ev, argument!, ['string'], ctx);
      const path = value?.type === 'string' ? scriptPath(ev, value, argument!, 'a database path') : undefined;
      return path === undefined || failed() ? undefined : { ...common, kind, path };
    }
    case 'postgres': {
      const value = expectType(ev, argument!, ['string'], ctx);
      const mode = options.get('backup-mode');
      const backupMode = mode ? boolArgument(ev, mode.setting, mode.spec, mode.ctx) : false;
      return value?.type !== 'string' || backupMode === undefined || failed() ? undefined : { ...common, kind, url: ev.planText(value), backupMode };
    }
    case 'process': {
      const selectors = ['pid-file', 'pid', 'cgroup'].filter((k) => options.has(k));
      if (selectors.length !== 1) {
        const second = selectors[1] ? options.get(selectors[1])!.setting.keyword.range : s.keyword.range;
        ev.error('process-writer-selector', selectors.length === 0 ? 'a process writer needs `pid-file`, `pid` or `cgroup`' : 'a process writer takes one of `pid-file`, `pid` and `cgroup`', 'Say which processes to stop, once: `writer "app" process { cgroup "/sys/fs/cgroup/system.slice/app.service" }`.', second);
        return undefined;
      }
      const key = selectors[0]!;
      const { setting, spec: optionSpec, ctx: c } = options.get(key)!;
      if (key === 'pid') {
        const pid = countArgument(ev, setting, optionSpec, c, 1);
        return pid === undefined || failed() ? undefined : { ...common, kind, select: { pid } };
      }
      const value = oneArgument(ev, setting, optionSpec, c);
      const path = value?.type === 'string' ? scriptPath(ev, value, setting.args[0]![0]!, 'a path') : undefined;
      if (path === undefined || failed()) return undefined;
      return { ...common, kind, select: key === 'cgroup' ? { cgroup: path } : { pidFile: path } };
    }
    case 'command': {
      if (failed()) return undefined;
      if (steps.size === 0) {
        ev.error('command-writer-without-steps', 'a command writer needs at least one step', 'Give it commands for some of its steps: `writer "app" command { freeze "app-ctl pause"  thaw "app-ctl resume" }`.', s.keyword.range);
        return undefined;
      }
      const get = (key: string) => steps.get(key);
      const stall = options.get('stall-timeout');
      const stallTimeoutMs = stall && durationArgument(ev, stall.setting, stall.spec, stall.ctx);
      return {
        ...common,
        kind,
        ...(stallTimeoutMs === undefined ? {} : { stallTimeoutMs }),
        ...(get('prepare') ? { prepare: get('prepare') } : {}),
        ...(get('freeze') ? { freeze: get('freeze') } : {}),
        ...(get('thaw') ? { thaw: get('thaw') } : {}),
        ...(get('post-snapshot') ? { postSnapshot: get('post-snapshot') } : {}),
        ...(get('backup-complete') ? { backupComplete: get('backup-complete') } : {}),
      };
    }
  }
}

/** One string: the platform shell; a list or several items: a program and its arguments. */
function commandPlan(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx): CommandPlan | undefined {
  const exprs = argumentGroups(ev, s, spec);
  if (!exprs) return undefined;
  if (exprs.length === 1) {
    const value = expectType(ev, exprs[0]!, ['string', 'list'], ctx);
    if (value?.type === 'string') return { shell: ev.planText(value) };
    if (value === undefined) return undefined;
  }
  const argv = argvItems(ev, exprs, ctx);
  if (!argv) return undefined;
  if (argv.length === 0) {
    ev.error('missing-argument', `\`${s.keyword.name}\` needs a program`, `Write it as \`${s.keyword.name} ["program", "argument"]\`.`, s.args[0]![0]!.range);
    return undefined;
  }
  return { argv: argv as PlanText[] };
}
