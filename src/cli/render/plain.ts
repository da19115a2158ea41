// The plain renderer: one timestamped line per meaningful event, for CI, cron and pipes.
// No escape codes ever (text from hooks is scrubbed), and copy or quiesce progress at most
// once per interval of event time, so that a log of a long copy stays short.

import type { EventSink, StillpointEvent } from '../../events/types.ts';
import { copyTotals, formatBytes, formatCopyAmount, formatCounting, formatDuration, formatLogTime, formatRate, printable } from '../../report/format.ts';
import { Throughput } from '../../report/throughput.ts';
import { drained, type RenderOutput } from './output.ts';

export interface PlainRendererOptions {
  out: RenderOutput;
  /** Least event time between two progress lines of one copy (default 5 s). */
  progressIntervalMs?: number;
}

interface CopyLog {
  kind: string;
  lastPrintedMs: number;
  throughput: Throughput;
}

export function createPlainRenderer(options: PlainRendererOptions): EventSink & { close(): Promise<void> } {
  const interval = options.progressIntervalMs ?? 5000;
  const hooks = new Map<string, string>();
  const copies = new Map<string, CopyLog>();
  let quiescePrintedMs = -Infinity;

  const line = (event: StillpointEvent, text: string) => {
    const job = event.job ? `[${printable(event.job)}] ` : '';
    options.out.write(`${formatLogTime(event.time)} ${job}${text}\n`);
  };

  const describe = (event: StillpointEvent): string | undefined => {
    const at = Date.parse(event.time);
    switch (event.type) {
      case 'run.started':
        return `run started: ${event.script}, jobs ${list(event.jobs)} on ${event.hostname} (${event.platform})${event.dryRun ? ', dry run' : ''}`;
      case 'job.started':
        return [
          `job started: volumes ${list(event.volumes)}`,
          `providers ${list(event.providers)}`,
          `writers ${list(event.writers.map((w) => `${w.name} (${w.kind})`))}`,
          `targets ${list(event.targets.map((t) => `${t.kind} ${t.location}`))}`,
        ].join('; ');
      case 'stage.started':
        return `stage ${event.stage} started`;
      case 'stage.finished':
        return `stage ${event.stage} ${event.status}${event.status === 'skipped' ? '' : ` in ${formatDuration(event.durationMs)}`}${event.error ? `: ${event.error}` : ''}`;
      case 'provider.skipped':
        return `provider ${event.provider} skipped for ${list(event.volumes)}: ${event.reason}`;
      case 'provider.chosen':
        return `provider ${event.provider} takes ${list(event.volumes)} (snapshot set ${event.setId})`;
      case 'provider.failed':
        return `provider ${event.provider} failed for ${list(event.volumes)} (snapshot set ${event.setId}): ${event.error}${event.nextProvider ? `; trying ${event.nextProvider} next` : ''}`;
      case 'snapshot-set.created':
        return `snapshot set ${event.setId} created by ${event.provider} in ${formatDuration(event.durationMs)}: ${event.snapshots.map((s) => `${s.volume} at ${s.snapshotPath}`).join(', ')}`;
      case 'snapshot-set.released':
        return `snapshot set ${event.setId} ${event.error ? `NOT released: ${event.error}` : 'released'}`;
      case 'freeze.started':
        return `freeze of snapshot set ${event.setId}: ${list(event.writers)} frozen (budget ${formatDuration(event.budgetMs)})`;
      case 'freeze.ended':
        return `freeze of snapshot set ${event.setId} ended: frozen ${formatDuration(event.windowMs)}${event.timedOut ? ', TIMED OUT (thawed by the budget)' : ''}${event.writers.length ? ` (${event.writers.map((w) => `${w.writer} ${formatDuration(w.frozenMs)}`).join(', ')})` : ''}`;
      case 'writer.state':
        return `writer ${event.writer} (${event.kind}) ${event.state} at ${event.step}${event.error ? `: ${event.error}` : ''}`;
      case 'quiesce.waiting':
        if (at - quiescePrintedMs < interval) return undefined;
        quiescePrintedMs = at;
        return `quiesce: quiet for ${formatDuration(event.quietForMs)} of ${formatDuration(event.idleMs)} needed (waiting at most ${formatDuration(event.withinMs)})`;
      case 'hook.started':
        hooks.set(event.hookId, event.stage);
        return `hook ${event.stage} started: ${event.action}${event.setId ? ` (snapshot set ${event.setId})` : ''}`;
      case 'hook.output':
        return `hook ${hooks.get(event.hookId) ?? event.hookId}${event.stream === 'stderr' ? ' (stderr)' : ''}| ${event.line}`;
      case 'hook.finished':
        return `hook ${event.stage} ${event.status} in ${formatDuration(event.durationMs)} (${event.signal ? `signal ${event.signal}` : `exit ${event.exitCode}`})${event.error ? `: ${event.error}` : ''}`;
      case 'copy.started':
        copies.set(event.target, { kind: event.kind, lastPrintedMs: at, throughput: new Throughput() });
        copies.get(event.target)!.throughput.add({ timeMs: at, bytesDone: 0 });
        return `copy to ${event.kind} ${event.target} started${event.totalBytes !== undefined ? `: ${formatBytes(event.totalBytes)}` : ''}${event.totalFiles !== undefined ? ` in ${event.totalFiles} files` : ''}`;
      case 'copy.progress': {
        const copy = copies.get(event.target) ?? { kind: 'target', lastPrintedMs: -Infinity, throughput: new Throughput() };
        copies.set(event.target, copy);
        copy.throughput.add({ timeMs: at, bytesDone: event.bytesDone });
        if (at - copy.lastPrintedMs < interval) return undefined;
        copy.lastPrintedMs = at;
        return `copy to ${copy.kind} ${event.target}: ${progressText(event, copy.throughput)}`;
      }
      case 'copy.finished':
        copies.delete(event.target);
        return `copy to ${event.kind} ${event.target} ${event.status}: ${formatBytes(event.bytes)}, ${event.files} files, ${event.skipped} skipped${event.snapshotId ? `, snapshot ${event.snapshotId}` : ''}${event.location ? ` at ${event.location}` : ''}${event.error ? `: ${event.error}` : ''}`;
      case 'file.skipped':
        return `skipped ${event.path}: ${event.reason} (${event.detail})`;
      case 'retention.pruned':
        return `retention on ${event.target}: removed ${list(event.removed)}; kept ${event.kept.length}`;
      case 'warning':
        return `warning: ${event.message}${event.detail ? ` (${event.detail})` : ''}`;
      case 'dry-run.step':
        return `dry run, ${event.stage}${event.setId ? ` (snapshot set ${event.setId})` : ''}: would ${event.action}`;
      case 'job.finished':
        return `job ${event.status} (exit ${event.exitCode}) in ${formatDuration(event.durationMs)}: ${formatBytes(event.bytes)}, ${event.files} files, ${event.skipped} skipped${event.failedStage ? `; failed in stage ${event.failedStage}` : ''}${event.error ? `: ${event.error}` : ''}`;
      case 'run.finished':
        return `run ${event.status} (exit ${event.exitCode}) in ${formatDuration(event.durationMs)}${event.reportPath ? `; report: ${event.reportPath}` : ''}`;
      default:
        return unknownEvent(event);
    }
  };

  return {
    emit(event) {
      const text = describe(event);
      if (text !== undefined) line(event, printable(text));
    },
    close: () => drained(options.out),
  };
}

/** Every event type has a line: a new type fails typechecking here until it gets one. */
function unknownEvent(event: never): undefined {
  void event;
  return undefined;
}

function list(items: string[]): string {
  return items.length ? items.join(', ') : 'none';
}

function progressText(event: Extract<StillpointEvent, { type: 'copy.progress' }>, throughput: Throughput): string {
  const total = copyTotals(event);
  const amount = formatCopyAmount(event.bytesDone, event.filesDone, total);
  const parts = [`${amount.bytes}${amount.percent ? ` (${amount.percent})` : ''}`, amount.files];
  const rate = throughput.bytesPerSecond();
  if (rate !== undefined) parts.push(formatRate(rate));
  if (event.scannedFiles !== undefined && !total.about) parts.push(formatCounting(event.scannedFiles, event.scannedBytes ?? 0));
  const eta = throughput.etaMs(total.bytes);
  if (eta !== undefined) parts.push(`ETA ${total.about}${formatDuration(eta)}`);
  return parts.join(', ');
}
