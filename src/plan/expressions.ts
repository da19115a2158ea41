// The expression evaluator: literals, names, strings with `${...}`, calls of built-in functions
// and operators. An expression that fails reports once and evaluates to undefined.

import type { Expr } from '../language/ast.ts';
import { FUNCTIONS, VALUES, type ValueType } from '../language/catalog.ts';
import type { SourceRange } from '../language/diagnostic.ts';
import { didYouMean } from '../language/suggest.ts';
import { REDACTED } from '../base/secret.ts';
import { BUILTIN_FUNCTIONS, builtinValue, joinText, RUN_TIME_FUNCTIONS } from './builtins.ts';
import type { Evaluation } from './evaluation.ts';
import type { Ctx } from './scope.ts';
import { atRunTime, interpolationText, isRunTime, literalValue, type TextPiece, typeNoun, typesNoun, type Value, valuesEqual } from './values.ts';

const FIX_FOR_TYPE: Record<ValueType, string> = {
  string: 'Put text in quotes: `"..."` (or `\'...\'` for a Windows path).',
  number: 'Write a plain number, such as `2`.',
  percent: 'Write a number with `%`, such as `10%`.',
  duration: 'Write a number with a time unit: `500ms`, `10s`, `5m`, `1h`, `7d` or `2w`.',
  size: 'Write a number with a size unit, such as `512MB` or `5GiB` (KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB of 1024).',
  bool: 'Write `true` or `false`, or a comparison such as `platform == "linux"`.',
  none: 'Write `none`.',
  list: 'Write a list in brackets: `["a", "b"]`.',
};

export function typeError(ev: Evaluation, expr: Expr, expected: readonly ValueType[], found: Value) {
  let detail = FIX_FOR_TYPE[expected[0]!];
  if (found.type === 'none') detail = 'The value is none (an unset environment variable, say): give a fallback with `??`, as in `env("X") ?? "default"`.';
  ev.error('type-mismatch', `expected ${typesNoun(expected)}, found ${typeNoun(found.type)} \`${ev.quote(expr.range)}\``, detail, expr.range);
}

export function expectType(ev: Evaluation, expr: Expr, types: readonly ValueType[], ctx: Ctx): Value | undefined {
  const value = evaluateExpr(ev, expr, ctx);
  if (value === undefined) return undefined;
  if (types.includes(value.type as ValueType)) return value;
  typeError(ev, expr, types, value);
  return undefined;
}

export function evaluateExpr(ev: Evaluation, expr: Expr, ctx: Ctx): Value | undefined {
  switch (expr.kind) {
    case 'String':
      return evaluateString(ev, expr, ctx);
    case 'RawString':
    case 'Number':
    case 'Percent':
    case 'Duration':
    case 'Size':
    case 'Drive':
    case 'Bool':
    case 'None':
      return literalValue(expr);
    case 'Name':
      return evaluateName(ev, expr.name, expr.range, ctx);
    case 'Call':
      return evaluateCall(ev, expr, ctx);
    case 'List': {
      const items = expr.items.map((item) => evaluateExpr(ev, item, ctx));
      if (items.some((item) => item === undefined)) return undefined;
      return { type: 'list', items: items as Value[] };
    }
    case 'Binary':
      return evaluateBinary(ev, expr, ctx);
    case 'Not': {
      const operand = expectType(ev, expr.operand, ['bool'], ctx);
      return operand?.type === 'bool' ? { ...operand, value: !operand.value } : undefined;
    }
    case 'Paren':
      return evaluateExpr(ev, expr.expr, ctx);
    case 'Error':
      return undefined;
  }
}

function evaluateString(ev: Evaluation, expr: Extract<Expr, { kind: 'String' }>, ctx: Ctx): Value | undefined {
  const parts: TextPiece[] = [];
  let ok = true;
  for (const part of expr.parts) {
    if (part.kind === 'Text') {
      parts.push({ value: part.value });
      continue;
    }
    const value = evaluateExpr(ev, part.expr, ctx);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (value.type === 'snapshot-paths') {
      if (expr.parts.length === 1) return value;
      ev.error('snapshot-paths-in-text', '`snapshot_paths` must be an argument of its own', 'It expands to one argument per snapshot path, so it cannot be part of a longer text: write `snapshot_paths` as a separate item.', part.range);
      ok = false;
      continue;
    }
    const piece = textOf(ev, value, part.expr);
    if (!piece) {
      const detail = value.type === 'none' ? 'The value is none (an unset environment variable, say): give a fallback, as in `${env("X") ?? "default"}`.' : 'Only single values can be put into text: pick one item, or use `for` over the list.';
      ev.error('not-text', `${typeNoun(value.type)} cannot be put into text: \`${ev.quote(part.expr.range)}\``, detail, part.expr.range);
      ok = false;
      continue;
    }
    parts.push(piece);
  }
  return ok ? ev.bounded(joinText(parts), expr.range) : undefined;
}

/**
 * The text a value stands for inside "${...}" (see interpolationText); a bool known only at
 * run time, while the script is only read, stands as its expression.
 */
export function textOf(ev: Evaluation, value: Value, expr: Expr): TextPiece | undefined {
  if (value.type === 'bool' && ev.unknownNow(value)) return { value: `\${${ev.quote(expr.range)}}`, runTime: true };
  return interpolationText(value);
}

function evaluateName(ev: Evaluation, name: string, range: SourceRange, ctx: Ctx): Value | undefined {
  const binding = ctx.scope.lookup(name);
  if (binding) {
    if (binding.value === undefined) ev.failures++; // reported where it was bound
    return binding.value;
  }
  if (name === 'job') {
    if (ctx.job !== undefined) return { type: 'string', value: ctx.job };
    ev.error('job-outside-job', '`job` is known only inside a job', 'Use `job` inside `job NAME { ... }` or `defaults { ... }`, where it is the job\'s name.', range);
    return undefined;
  }
  if (name === 'snapshot_paths') {
    if (ctx.snapshotPaths) return { type: 'snapshot-paths' };
    ev.error('snapshot-paths-here', '`snapshot_paths` is not known here', 'It exists only once the snapshot does: use it in `target exec` args or in `run` actions of `after-snapshot` hooks (hooks also get STILLPOINT_SNAPSHOT_PATHS).', range);
    return undefined;
  }
  const builtin = builtinValue(name, { ...ev.builtins, baseDir: ev.baseDir(range) });
  if (builtin) return builtin;
  const suggestion = didYouMean(name, [...ctx.scope.names(), ...VALUES.map((v) => v.name)]);
  ev.error('unknown-name', `unknown name \`${name}\``, `${suggestion} Define it with \`let ${name} = ...\` before this line, or put text in quotes: \`"${name}"\`.`.trim(), range);
  return undefined;
}

function evaluateCall(ev: Evaluation, expr: Extract<Expr, { kind: 'Call' }>, ctx: Ctx): Value | undefined {
  const name = expr.callee.name;
  const spec = FUNCTIONS.find((f) => f.name === name);
  const impl = BUILTIN_FUNCTIONS[name];
  if (!spec || !impl) {
    ev.error('unknown-function', `unknown function \`${name}\``, `${didYouMean(name, FUNCTIONS.map((f) => f.name))} The functions are: ${FUNCTIONS.map((f) => f.name).join(', ')}.`.trim(), expr.callee.range);
    return undefined;
  }
  if (expr.args.length < spec.minArgs) {
    ev.error('missing-argument', `\`${name}\` needs ${spec.minArgs === 1 ? 'an argument' : `${spec.minArgs} arguments`}`, `Call it as \`${spec.signature}\`.`, expr.range);
    return undefined;
  }
  if (!spec.rest && expr.args.length > spec.params.length) {
    ev.error('unexpected-argument', `too many arguments for \`${name}\``, `Call it as \`${spec.signature}\`.`, expr.args[spec.params.length]!.range);
    return undefined;
  }
  const args: Value[] = [];
  let ok = true;
  for (const [i, arg] of expr.args.entries()) {
    const value = expectType(ev, arg, spec.params[Math.min(i, spec.params.length - 1)]!, ctx);
    if (value === undefined) ok = false;
    else args.push(value);
  }
  if (!ok) return undefined;
  const runTime = RUN_TIME_FUNCTIONS.has(name) || args.some(isRunTime);
  if (runTime && !ev.runTime) return standIn(ev, expr, spec.returns, args);
  const result = impl(args, { ...ev.builtins, baseDir: ev.baseDir(expr.range) });
  if ('error' in result) {
    ev.error(result.error.code, result.error.summary, result.error.detail, expr.range);
    return undefined;
  }
  if (result.external && result.value.type === 'string') ev.external.push({ text: result.value.value, expression: ev.quote(expr.range) });
  const value = runTime ? atRunTime(result.value) : result.value;
  return value.type === 'string' ? ev.bounded(value, expr.range) : value;
}

/**
 * What a call known only at run time stands for while the script is only read: nothing is
 * read; a string is the call's own text, as `plan` shows it, and stays secret when it is one.
 */
function standIn(ev: Evaluation, expr: Extract<Expr, { kind: 'Call' }>, returns: string, args: readonly Value[]): Value {
  if (returns === 'bool') return { type: 'bool', value: false, runTime: true };
  const value = `\${${ev.quote(expr.range)}}`;
  const secret = returns.includes('secret') || args.some((a) => a.type === 'string' && a.shown !== undefined);
  return { type: 'string', value, ...(secret ? { shown: REDACTED } : {}), runTime: true };
}

function evaluateBinary(ev: Evaluation, expr: Extract<Expr, { kind: 'Binary' }>, ctx: Ctx): Value | undefined {
  switch (expr.op) {
    case '??': {
      const left = evaluateExpr(ev, expr.left, ctx);
      if (left === undefined) return undefined;
      if (left.type === 'none') return evaluateExpr(ev, expr.right, ctx);
      // Unknown now, it may be none when the job runs: check the fallback too.
      if (ev.unknownNow(left) && evaluateExpr(ev, expr.right, ctx) === undefined) return undefined;
      return left;
    }
    case '==':
    case '!=': {
      const left = evaluateExpr(ev, expr.left, ctx);
      const right = evaluateExpr(ev, expr.right, ctx);
      if (left === undefined || right === undefined) return undefined;
      const equal = valuesEqual(left, right);
      return { type: 'bool', value: expr.op === '==' ? equal : !equal, ...(isRunTime(left) || isRunTime(right) ? { runTime: true } : {}) };
    }
    case 'and':
    case 'or': {
      const left = expectType(ev, expr.left, ['bool'], ctx);
      if (left?.type !== 'bool') return undefined;
      // Short-circuit, so that `exists(p) and file(p) == "x"` reads the file only when it
      // exists; a left side known only at run time decides nothing yet.
      if (!ev.unknownNow(left) && left.value === (expr.op === 'or')) return left;
      const right = expectType(ev, expr.right, ['bool'], ctx);
      if (right?.type !== 'bool') return undefined;
      return left.runTime ? atRunTime(right) : right;
    }
  }
}
