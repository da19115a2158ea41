// `schedule CRON`: when the job runs (installed by `stillpoint schedule`).

import type { Setting } from '../../language/ast.ts';
import type { StatementSpec } from '../../language/catalog.ts';
import { oneArgument, plainText } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import type { JobParts } from '../job-parts.ts';
import type { Ctx } from '../scope.ts';

/** One cron expression; a job may have several. */
export function scheduleStatement(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx, parts: JobParts) {
  const value = oneArgument(ev, s, spec, ctx);
  if (value?.type !== 'string') return;
  const cron = plainText(ev, value, s.args[0]![0]!, 'a schedule');
  if (cron === undefined) return;
  // The parser the scheduler uses, so what `check` accepts is what runs.
  const { cronProblem } = ev.input;
  if (cronProblem === undefined) throw new Error('internal error: a `schedule` statement in a script whose text has no `schedule`: load.ts did not load the cron parser');
  const invalid = cronProblem(cron);
  if (invalid !== undefined) {
    ev.error('invalid-schedule', `\`${cron}\` is not a valid cron expression`, `${invalid}. Write minute (0-59), hour (0-23), day of month (1-31), month (1-12) and day of week (0-7), such as "30 23 * * 1-5" (23:30 on weekdays).`, s.args[0]![0]!.range);
    return;
  }
  (parts.schedules ??= []).push(cron);
  return;
}
