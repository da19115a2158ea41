// `keep last N, daily N, ...`: the retention rules of a target.

import type { Setting } from '../../language/ast.ts';
import { statementSpec } from '../../language/catalog.ts';
import { didYouMean } from '../../language/suggest.ts';
import { wholeNumber } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import { expectType } from '../expressions.ts';
import type { Ctx } from '../scope.ts';
import type { KeepPlan } from '../types.ts';

export function keepPlan(ev: Evaluation, s: Setting, ctx: Ctx): KeepPlan | undefined {
  const keep: KeepPlan = {};
  const spec = statementSpec('target:tree', 'keep')!;
  if (spec.args.kind !== 'pairs') return undefined;
  const keys = spec.args.keys;
  if (s.args.length === 0) {
    ev.error('missing-argument', '`keep` needs at least one rule', `Write it as \`${spec.syntax}\`.`, s.keyword.range);
    return undefined;
  }
  for (const [keyExpr, countExpr, extra] of s.args) {
    const key = keyExpr?.kind === 'Name' ? keyExpr.name : undefined;
    if (!keyExpr || key === undefined || !keys.includes(key)) {
      const word = key ?? ev.quote(keyExpr!.range);
      ev.error('unknown-keep-rule', `unknown retention rule \`${word}\``, `${didYouMean(word, keys)} The rules are: ${keys.join(', ')}, each followed by a number: \`keep last 16, daily 7\`.`.trim(), keyExpr!.range);
      return undefined;
    }
    if (!countExpr || extra) {
      ev.error('missing-argument', `\`${key}\` needs a number`, `Write it as \`keep ${key} 7\`, with rules separated by commas.`, (extra ?? keyExpr).range);
      return undefined;
    }
    if (keep[key as keyof KeepPlan] !== undefined) {
      ev.error('duplicate-keep-rule', `\`${key}\` is given twice`, 'Give each retention rule once.', keyExpr.range);
      return undefined;
    }
    const count = expectType(ev, countExpr, ['number'], ctx);
    if (count?.type !== 'number') return undefined;
    const n = wholeNumber(ev, count.value, countExpr, 1);
    if (n === undefined) return undefined;
    keep[key as keyof KeepPlan] = n;
  }
  return keep;
}
