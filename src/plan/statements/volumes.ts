// `volume`, `volumes`, `exclude` and `include`: what to back up.

import type { Block, Setting } from '../../language/ast.ts';
import type { StatementSpec } from '../../language/catalog.ts';
import { argumentGroups, listArgument, oneArgument, plainTexts, scriptPath } from '../arguments.ts';
import { resolveScriptPath } from '../builtins.ts';
import type { Evaluation } from '../evaluation.ts';
import type { JobParts } from '../job-parts.ts';
import { type Ctx, Scope } from '../scope.ts';
import type { VolumePlan } from '../types.ts';
import { walk } from '../walk.ts';

export function globArguments(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx): string[] | undefined {
  const exprs = argumentGroups(ev, s, spec);
  return exprs && plainTexts(ev, listArgument(ev, s, spec, ctx), exprs, 'a glob');
}

export function globBlock(ev: Evaluation, block: Block, ctx: Ctx, volume: VolumePlan) {
  walk(ev, block.statements, 'volume', { ...ctx, scope: new Scope(ctx.scope) }, new Map(), (s, c, spec) => {
    const globs = globArguments(ev, s, spec, c);
    if (globs) volume[s.keyword.name as 'include' | 'exclude'].push(...globs);
  });
}

/** `volume PATH { exclude ... }`: one volume, with its own globs. */
export function volumeStatement(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx, parts: JobParts) {
  const value = oneArgument(ev, s, spec, ctx);
  const path = value?.type === 'string' ? scriptPath(ev, value, s.args[0]![0]!, 'a volume') : undefined;
  // A bad path is reported, and so is what is wrong inside the block.
  const volume: VolumePlan = { path: path ?? '', include: [], exclude: [], origin: ev.origin(s.range) };
  if (s.body?.kind === 'Block') globBlock(ev, s.body, ctx, volume);
  if (path === undefined) return;
  parts.volumes.push({ plan: volume, range: s.range });
  return;
}

/** `volumes A, B`: several volumes at once (drive letters on Windows). */
export function volumesStatement(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx, parts: JobParts) {
  const exprs = argumentGroups(ev, s, spec);
  const paths = exprs && plainTexts(ev, listArgument(ev, s, spec, ctx), exprs, 'a volume');
  if (!paths || !exprs) return;
  for (const [i, p] of paths.entries()) {
    const expr = exprs[Math.min(i, exprs.length - 1)]!;
    parts.volumes.push({ plan: { path: resolveScriptPath(p, ev.baseDir(expr.range), ev.builtins.platform), include: [], exclude: [], origin: ev.origin(s.range) }, range: expr.range });
  }
  return;
}
