// The generic statement walk: `let`, `if` and `for`, and every statement checked against the
// catalog before its family evaluates it.

import type { Block, Expr, Setting, Statement } from '../language/ast.ts';
import { type BlockKind, BLOCKS, splitSetting, statementSpec, type StatementSpec } from '../language/catalog.ts';
import { didYouMean } from '../language/suggest.ts';
import type { Evaluation } from './evaluation.ts';
import { evaluateExpr, expectType } from './expressions.ts';
import { BUILTIN_VALUE_NAMES, type Ctx, Scope } from './scope.ts';

/** What a block's walk hands each statement that passed the catalog's checks. */
export type Visit = (setting: Setting, ctx: Ctx, spec: StatementSpec) => void;

/** Walks a block's statements: `let`, `if` and `for` here, Settings checked against the catalog and handed to `visit`. */
export function walk(ev: Evaluation, statements: readonly Statement[], block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: Visit) {
  for (const statement of statements) {
    switch (statement.kind) {
      case 'Let': {
        const name = statement.name.name;
        if (BUILTIN_VALUE_NAMES.has(name)) {
          ev.error('let-builtin', `\`${name}\` is a built-in value`, 'Choose another name for your value.', statement.name.range);
          break;
        }
        const existing = ctx.scope.vars.get(name);
        if (existing) {
          ev.error('duplicate-let', `\`${name}\` is already defined`, 'A name is bound once per block: choose another name, or change the first `let`.', statement.name.range, [{ message: `\`${name}\` is defined here`, range: existing.range }]);
          break;
        }
        ctx.scope.vars.set(name, { value: evaluateExpr(ev, statement.value, ctx), range: statement.name.range });
        break;
      }
      case 'If': {
        const chosen = chooseBranch(ev, statement, ctx);
        if (chosen === 'failed') return skipFailedIf(ev, statements, statement, block, ctx, seen, visit);
        if (chosen) walk(ev, chosen.statements, block, { ...ctx, scope: new Scope(ctx.scope) }, seen, visit);
        break;
      }
      case 'For': {
        const iterable = expectType(ev, statement.iterable, ['list'], ctx);
        if (iterable?.type !== 'list') break;
        for (const item of iterable.items) {
          if (!ev.countIteration(statement.range)) break;
          const scope = new Scope(ctx.scope);
          scope.vars.set(statement.variable.name, { value: item, range: statement.variable.range });
          walk(ev, statement.body.statements, block, { ...ctx, scope }, seen, visit);
        }
        break;
      }
      case 'Setting':
        for (const setting of splitSetting(statement, block)) checkSetting(ev, setting, block, ctx, seen, visit);
        break;
    }
  }
}

/**
 * The branch of an `if` to walk. A condition known only at run time, while the script is
 * only read, decides nothing: every branch from it on may be taken when the job runs, and
 * the evaluation's pass picks one (Evaluation.runTimeBranch).
 */
function chooseBranch(ev: Evaluation, statement: Extract<Statement, { kind: 'If' }>, ctx: Ctx): Block | undefined | 'failed' {
  const candidates: (Block | undefined)[] = [];
  let first: Expr | undefined;
  for (const branch of statement.branches) {
    const condition = expectType(ev, branch.condition, ['bool'], ctx);
    if (condition?.type !== 'bool') return 'failed';
    if (ev.unknownNow(condition)) {
      first ??= branch.condition;
      candidates.push(branch.body);
    } else if (condition.value) {
      candidates.push(branch.body);
      return first ? ev.runTimeBranch(first, candidates) : branch.body;
    }
  }
  candidates.push(statement.elseBody);
  return first ? ev.runTimeBranch(first, candidates) : statement.elseBody;
}

/** After an `if` whose condition failed: go on with the statements after it. */
function skipFailedIf(ev: Evaluation, statements: readonly Statement[], failed: Statement, block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: Visit) {
  walk(ev, statements.slice(statements.indexOf(failed) + 1), block, ctx, seen, visit);
}

function checkSetting(ev: Evaluation, setting: Setting, block: BlockKind, ctx: Ctx, seen: Map<string, Setting>, visit: Visit) {
  if (hasSyntaxError(ev, setting)) {
    ev.failures++; // the parser said what is wrong; what it recovered is not worth more messages
    return;
  }
  const keyword = setting.keyword.name;
  const spec = statementSpec(block, keyword);
  if (!spec) {
    unknownStatement(ev, setting, block);
    return;
  }
  const first = seen.get(keyword);
  if (first && !spec.repeatable && first.keyword.range.start.offset !== setting.keyword.range.start.offset) {
    ev.error('duplicate-statement', `\`${keyword}\` is already set in this block`, `\`${keyword}\` may appear once per block: remove one of them.`, setting.keyword.range, [{ message: 'set first here', range: first.keyword.range }]);
    return;
  }
  seen.set(keyword, setting);
  const body = spec.body;
  if (spec.args.kind === 'none' && setting.args.length > 0) {
    const summary = body.kind === 'raw' ? `\`${keyword}\` takes a block of code, not arguments` : `\`${keyword}\` takes no arguments`;
    ev.error('unexpected-argument', summary, `Write it as \`${spec.syntax}\`.`, setting.args[0]![0]!.range);
    return;
  }
  if (body.kind === 'none' && setting.body) {
    ev.error('unexpected-block', `\`${keyword}\` takes no block`, `Write it as \`${spec.syntax}\`.`, setting.body.range);
    return;
  }
  if ((body.kind === 'raw' || (body.kind === 'block' && body.required)) && !setting.body) {
    ev.error('missing-block', `\`${keyword}\` needs a block`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
    return;
  }
  if (body.kind === 'raw' && setting.body?.kind !== 'RawBlock') {
    ev.error('missing-block', `\`${keyword}\` needs a block of code`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
    return;
  }
  if ((body.kind === 'block' || body.kind === 'block-by-word') && setting.body?.kind === 'RawBlock') {
    ev.error('unexpected-block', `\`${keyword}\` takes a block of statements, not code`, `Write it as \`${spec.syntax}\`.`, setting.body.range);
    return;
  }
  if (setting.assignment && spec.args.kind !== 'assignment') {
    ev.error('unexpected-argument', `\`${keyword}\` takes no \`= value\``, `Write it as \`${spec.syntax}\`.`, setting.assignment.range);
    return;
  }
  visit(setting, ctx, spec);
}

/** A syntax error inside the statement itself (its block's statements answer for themselves). */
function hasSyntaxError(ev: Evaluation, setting: Setting): boolean {
  const offsets = ev.input.syntaxErrors?.get(setting.range.file);
  if (!offsets?.length) return false;
  const { start, end } = setting.range;
  const body = setting.body?.kind === 'Block' ? setting.body.range : undefined;
  return offsets.some((o) => o >= start.offset && o < end.offset && !(body && o >= body.start.offset && o < body.end.offset));
}

function unknownStatement(ev: Evaluation, setting: Setting, block: BlockKind) {
  const keyword = setting.keyword.name;
  const where = BLOCKS[block].where;
  const home = Object.values(BLOCKS).find((b) => b.statements.some((s) => s.keyword === keyword));
  const known = BLOCKS[block].statements.map((s) => s.keyword);
  const hint = home
    ? ` \`${keyword}\` belongs ${home.where}.`
    : known.length
      ? `${didYouMean(keyword, known)} The statements here are: ${known.join(', ')}.`
      : ' This block takes no statements.';
  ev.error('unknown-statement', `unknown statement \`${keyword}\` ${where}`, hint.trim(), setting.keyword.range);
}
