// The arguments of statements, read by the shape the catalog gives them (one value, a list, a
// sequence, a word), with the checks every family shares.

import type { Expr, Setting } from '../language/ast.ts';
import type { ArgItem, StatementSpec, ValueType } from '../language/catalog.ts';
import { didYouMean } from '../language/suggest.ts';
import { resolveScriptPath } from './builtins.ts';
import type { Evaluation } from './evaluation.ts';
import { evaluateExpr, expectType, typeError } from './expressions.ts';
import { BUILTIN_VALUE_NAMES, type Ctx } from './scope.ts';
import type { ArgvItem } from './types.ts';
import { isRunTime, type StringValue, type Value } from './values.ts';

/** The single argument of a `one` or `flag` statement (a bare flag is true). */
export function oneArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx): Value | undefined {
  const args = setting.args;
  if (spec.args.kind === 'flag' && args.length === 0) return { type: 'bool', value: true };
  const item: ArgItem = spec.args.kind === 'one' ? spec.args.item : { kind: 'value', name: 'BOOL', types: ['bool'] };
  if (args.length === 0) {
    ev.error('missing-argument', `\`${setting.keyword.name}\` needs ${item.name === 'BOOL' ? 'a bool' : `a ${item.name}`}`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
    return undefined;
  }
  const extra = args[0]![1] ?? args[1]?.[0];
  if (extra) {
    ev.error('unexpected-argument', `\`${setting.keyword.name}\` takes one argument`, `Write it as \`${spec.syntax}\`.`, extra.range);
    return undefined;
  }
  const expr = args[0]![0]!;
  if (item.kind === 'value') {
    const value = expectType(ev, expr, item.types, ctx);
    // Strings are checked where they are used (plainText); a bool setting is one plans carry as it is.
    return value?.type === 'bool' && !knownBeforeRun(ev, value, expr, `\`${setting.keyword.name}\``) ? undefined : value;
  }
  const word = itemText(ev, expr, item, ctx);
  return word === undefined ? undefined : { type: 'string', value: word };
}

/** The items of a `list` statement (or a sequence's tail), lists flattened, each checked against `types`. */
function listItems(ev: Evaluation, exprs: readonly Expr[], types: readonly ValueType[], ctx: Ctx): Value[] | undefined {
  const out: Value[] = [];
  let ok = true;
  const itemTypes: ValueType[] = types.filter((t) => t !== 'list');
  for (const expr of exprs) {
    const value = evaluateExpr(ev, expr, ctx);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (value.type === 'snapshot-paths') {
      out.push(value);
      continue;
    }
    const flat = value.type === 'list' && types.includes('list') ? value.items : [value];
    for (const v of flat) {
      if (itemTypes.includes(v.type as ValueType) || (v.type === 'snapshot-paths' && ctx.snapshotPaths)) out.push(v);
      else {
        typeError(ev, expr, itemTypes, v);
        ok = false;
      }
    }
  }
  return ok ? out : undefined;
}

/** The comma-separated items of a `list` statement, one item per group. */
export function argumentGroups(ev: Evaluation, setting: Setting, spec: StatementSpec): Expr[] | undefined {
  if (setting.args.length === 0) {
    ev.error('missing-argument', `\`${setting.keyword.name}\` needs at least one value`, `Write it as \`${spec.syntax}\`.`, setting.keyword.range);
    return undefined;
  }
  for (const group of setting.args) {
    if (group.length > 1) {
      ev.error('missing-comma', 'items of a list are separated by commas', `Write it as \`${spec.syntax}\`.`, group[1]!.range);
      return undefined;
    }
  }
  return setting.args.map((g) => g[0]!);
}

export function listArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx): Value[] | undefined {
  const exprs = argumentGroups(ev, setting, spec);
  if (!exprs || spec.args.kind !== 'list') return undefined;
  const item = spec.args.item;
  if (item.kind === 'value') return listItems(ev, exprs, item.types, ctx);
  const out: Value[] = [];
  for (const expr of exprs) {
    const word = itemText(ev, expr, item, ctx);
    if (word === undefined) return undefined;
    out.push({ type: 'string', value: word });
  }
  return out;
}

/** A `word` or `name` item as text; undefined after reporting. */
export function itemText(ev: Evaluation, expr: Expr, item: ArgItem, ctx: Ctx): string | undefined {
  if (item.kind === 'value') {
    const value = expectType(ev, expr, ['string'], ctx);
    return value?.type === 'string' ? plainText(ev, value, expr, `a ${item.name}`) : undefined;
  }
  if (item.kind === 'name') {
    if (expr.kind === 'Name') return expr.name;
    const value = expectType(ev, expr, ['string'], ctx);
    return value?.type === 'string' ? plainText(ev, value, expr, 'a name') : undefined;
  }
  let word: string | undefined;
  if (expr.kind === 'Name' && (item.words.includes(expr.name) || !isDefined(ev, expr.name, ctx))) {
    word = expr.name;
  } else {
    const value = expectType(ev, expr, ['string'], ctx);
    word = value?.type === 'string' ? plainText(ev, value, expr, `a ${item.noun}`) : undefined;
    if (word === undefined) return undefined;
  }
  if (!item.words.includes(word)) {
    const plural = item.noun.endsWith('s') ? item.noun : `${item.noun}s`;
    ev.error(`unknown-${item.noun.toLowerCase().replaceAll(' ', '-')}`, `unknown ${item.noun} \`${word}\``, `${didYouMean(word, item.words)} The ${plural} are: ${item.words.join(', ')}.`.trim(), expr.range);
    return undefined;
  }
  return word;
}

function isDefined(ev: Evaluation, name: string, ctx: Ctx): boolean {
  return ctx.scope.lookup(name) !== undefined || BUILTIN_VALUE_NAMES.has(name);
}

/**
 * False, after reporting, for a value known only when the job runs. Such values may stand
 * only where a secret may: a plan carries them as they come, and nothing checks their text.
 */
function knownBeforeRun(ev: Evaluation, value: Value, expr: Expr, what: string): boolean {
  if (!isRunTime(value)) return true;
  ev.error('run-time-value', `${what} must be known before the job runs, but \`${ev.quote(expr.range)}\` is read only then`, '`file(...)` and `exists(...)` look at the disk only when the job runs (`check` and `plan` never do), so their values may stand only in passwords, URLs, command arguments, hook environment values and `if` conditions. Write the value in the script, or take it from `env(...)`.', expr.range);
  return false;
}

/** Text that may not hold a secret (it is printed in plans and logs) and must be known before the job runs. */
export function plainText(ev: Evaluation, value: StringValue, expr: Expr, what: string): string | undefined {
  if (!knownBeforeRun(ev, value, expr, what)) return undefined;
  if (value.shown === undefined) return value.value;
  ev.error('secret-not-allowed', `a secret cannot be used as ${what}`, 'Secrets are kept out of plans and logs, so they may stand only in passwords, URLs, command arguments and hook environment values.', expr.range);
  return undefined;
}

export function scriptPath(ev: Evaluation, value: StringValue, expr: Expr, what: string): string | undefined {
  const plain = plainText(ev, value, expr, what);
  return plain === undefined ? undefined : resolveScriptPath(plain, ev.baseDir(expr.range), ev.builtins.platform);
}

export function plainTexts(ev: Evaluation, values: Value[] | undefined, exprs: readonly Expr[], what: string): string[] | undefined {
  if (!values) return undefined;
  const out: string[] = [];
  for (const [i, value] of values.entries()) {
    const plain = plainText(ev, value as StringValue, exprs[Math.min(i, exprs.length - 1)]!, what);
    if (plain === undefined) return undefined;
    out.push(plain);
  }
  return out;
}

export function durationArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx, allowZero = false): number | undefined {
  const value = oneArgument(ev, setting, spec, ctx);
  if (value?.type !== 'duration') return undefined;
  if (value.ms <= 0 && !allowZero) {
    ev.error('invalid-duration', `\`${setting.keyword.name}\` must be longer than zero`, `Write a positive duration, such as \`${spec.default ?? '10s'}\`.`, setting.args[0]![0]!.range);
    return undefined;
  }
  return value.ms;
}

export function countArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx, min: number): number | undefined {
  const value = oneArgument(ev, setting, spec, ctx);
  if (value?.type !== 'number') return undefined;
  return wholeNumber(ev, value.value, setting.args[0]![0]!, min);
}

export function wholeNumber(ev: Evaluation, n: number, expr: Expr, min: number): number | undefined {
  if (Number.isInteger(n) && n >= min) return n;
  ev.error('invalid-number', `expected a whole number of at least ${min}, found \`${ev.quote(expr.range)}\``, `Write a whole number such as \`${Math.max(min, 1)}\`.`, expr.range);
  return undefined;
}

export function boolArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx): boolean | undefined {
  const value = oneArgument(ev, setting, spec, ctx);
  return value?.type === 'bool' ? value.value : undefined;
}

export function wordArgument(ev: Evaluation, setting: Setting, spec: StatementSpec, ctx: Ctx): string | undefined {
  const value = oneArgument(ev, setting, spec, ctx);
  return value?.type === 'string' ? value.value : undefined;
}

export function sequenceArguments(ev: Evaluation, s: Setting, spec: StatementSpec, min: number, max: number, usage: string): Expr[] | undefined {
  const [first = [], ...more] = s.args;
  if (first.length < min) {
    ev.error('missing-argument', `\`${s.keyword.name}\` needs ${usage}`, `Write it as \`${spec.syntax}\`.`, first.at(-1)?.range ?? s.keyword.range);
    return undefined;
  }
  const extra = first[max] ?? more[0]?.[0];
  if (extra) {
    ev.error('unexpected-argument', `too many arguments for \`${s.keyword.name}\``, `Write it as \`${spec.syntax}\`.`, extra.range);
    return undefined;
  }
  return first;
}

/** A program and its arguments; `snapshot_paths` only where ctx allows it. */
export function argvItems(ev: Evaluation, exprs: readonly Expr[], ctx: Ctx): ArgvItem[] | undefined {
  const values = listItems(ev, exprs, ['string', 'list'], ctx);
  return values?.map((v) => (v.type === 'snapshot-paths' ? { snapshotPaths: true } : ev.planText(v as StringValue)));
}
