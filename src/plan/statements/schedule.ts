// `schedule CRON`: when the job runs (installed by `stillpoint schedule`).

import type { Setting } from '../../language/ast.ts';
import type { StatementSpec } from '../../language/catalog.ts';
import { oneArgument, plainText } from '../arguments.ts';
import type { Evaluation } from '../evaluation.ts';
import type { JobParts } from '../job-parts.ts';
import type { Ctx } from '../scope.ts';

/** Five fields of the characters cron uses; the scheduler parses them fully. */
function isCron(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => /^[0-9A-Za-z*?,/-]+$/.test(f));
}

/** One cron expression; a job may have several. */
export function scheduleStatement(ev: Evaluation, s: Setting, spec: StatementSpec, ctx: Ctx, parts: JobParts) {
  const value = oneArgument(ev, s, spec, ctx);
  if (value?.type !== 'string') return;
  const cron = plainText(ev, value, s.args[0]![0]!, 'a schedule');
  if (cron === undefined) return;
  if (!isCron(cron)) {
    ev.error('invalid-schedule', `\`${cron}\` is not a 5-field cron expression`, 'Write minute, hour, day of month, month and day of week, such as "30 23 * * 1-5" (23:30 on weekdays).', s.args[0]![0]!.range);
    return;
  }
  (parts.schedules ??= []).push(cron);
  return;
}
