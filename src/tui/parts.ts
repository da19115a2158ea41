// The pieces of the live screen. Each fits an 80-column terminal: long text is truncated,
// never wrapped, so the live area's height depends only on what the run contains.

import { Box, Text } from 'ink';
import { createElement as h, type ReactNode } from 'react';
import type { RunStatus, WriterState } from '../events/types.ts';
import { copyTotals, formatBytes, formatCopyAmount, formatCounting, formatDuration, formatRate, printable } from '../report/format.ts';
import type { FreezeSummary, JobSummary, RunSummary, StageState, StageSummary, TargetSummary } from '../report/run-summary.ts';
import type { HookLine } from './store.ts';
import { useTone, type Tone } from './theme.ts';

const STAGE_MARK: Record<StageState, [string, Tone]> = {
  pending: ['·', 'dim'],
  running: ['▸', 'busy'],
  succeeded: ['✓', 'good'],
  failed: ['✗', 'bad'],
  skipped: ['-', 'dim'],
};

const WRITER_TONE: Record<WriterState, Tone | undefined> = {
  stable: undefined,
  preparing: 'busy',
  frozen: 'warn',
  thawed: 'good',
  failed: 'bad',
};

export const STATUS_TONE: Record<RunStatus | 'running', Tone> = {
  running: 'busy',
  succeeded: 'good',
  partial: 'warn',
  failed: 'bad',
  cancelled: 'warn',
};

function Line(props: { children?: ReactNode }) {
  return h(Text, { wrap: 'truncate-end' }, props.children);
}

export function StageLine(props: { stage: StageSummary; job?: string; nowMs: number }) {
  const tone = useTone();
  const { stage } = props;
  const [mark, markTone] = STAGE_MARK[stage.state];
  const elapsed = stage.state === 'running' && stage.startedAt ? props.nowMs - Date.parse(stage.startedAt) : stage.durationMs;
  return h(
    Line,
    null,
    h(Text, tone(markTone), mark),
    ' ',
    props.job ? h(Text, tone('dim'), `${props.job} `) : null,
    stage.stage.padEnd(16),
    stage.state === 'skipped' ? h(Text, tone('dim'), ' skipped') : elapsed !== undefined ? h(Text, tone('dim'), formatDuration(elapsed).padStart(8)) : null,
    stage.error ? h(Text, tone('bad'), `  ${printable(stage.error)}`) : null,
  );
}

/** Rows of the live area a part may take, so that the whole fits a 24-row terminal: a taller
 * frame makes Ink clear the screen on every redraw. */
const SET_ROWS = 5;
const WRITER_ROWS = 5;

export function SnapshotSets(props: { job: JobSummary }) {
  const tone = useTone();
  const { job } = props;
  const refused = job.providers.filter((p) => p.outcome !== 'chosen');
  if (job.snapshotSets.length === 0 && refused.length === 0) return null;
  // The newest sets and refusals matter most (older ones are in the report); refusals keep
  // at least two rows, since their reasons say why a provider was passed over.
  const setRows = Math.min(job.snapshotSets.length, Math.max(SET_ROWS - 2, SET_ROWS - refused.length));
  const sets = job.snapshotSets.slice(job.snapshotSets.length - setRows);
  const shownRefused = refused.slice(refused.length - Math.min(refused.length, SET_ROWS - setRows));
  const hidden = job.snapshotSets.length - sets.length + refused.length - shownRefused.length;
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, 'snapshot sets'),
    ...sets.map((set) =>
      h(
        Line,
        { key: `set/${set.setId}` },
        `  ${set.setId}  `,
        h(Text, { bold: true }, set.provider),
        `  ${set.volumes.join(', ')}  `,
        h(Text, tone(set.state === 'failed' || set.state === 'release-failed' ? 'bad' : set.state === 'creating' ? 'busy' : 'good'), set.state),
      ),
    ),
    ...shownRefused.map((p, i) =>
      h(
        Line,
        { key: `refused/${i}` },
        h(Text, tone(p.outcome === 'failed' ? 'bad' : 'dim'), `  ${p.outcome === 'failed' ? '✗' : '-'} ${p.provider} ${p.outcome}`),
        ` for ${p.volumes.join(', ')}: ${printable(p.reason ?? '')}`,
        p.nextProvider ? h(Text, tone('dim'), ` → ${p.nextProvider}`) : null,
      ),
    ),
    hidden > 0 ? h(Text, tone('dim'), `  … ${hidden} more (in the report)`) : null,
  );
}

const WRITER_ATTENTION: WriterState[] = ['failed', 'frozen', 'preparing', 'thawed', 'stable'];

export function WritersTable(props: { job: JobSummary }) {
  const tone = useTone();
  const { writers } = props.job;
  if (writers.length === 0) return null;
  // When they do not all fit, the ones that need a look come first (failed, frozen).
  const shown =
    writers.length <= WRITER_ROWS
      ? writers
      : [...writers].sort((a, b) => WRITER_ATTENTION.indexOf(a.state) - WRITER_ATTENTION.indexOf(b.state)).slice(0, WRITER_ROWS - 1);
  const hidden = writers.filter((w) => !shown.includes(w));
  const hiddenStates = WRITER_ATTENTION.map((state) => [state, hidden.filter((w) => w.state === state).length] as const).filter(([, n]) => n > 0);
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `${'writer'.padEnd(18)}${'kind'.padEnd(10)}${'state'.padEnd(11)}last error`),
    ...shown.map((w) =>
      h(
        Line,
        { key: w.name },
        w.name.slice(0, 17).padEnd(18),
        w.kind.padEnd(10),
        h(Text, tone(WRITER_TONE[w.state]), w.state.padEnd(11)),
        w.lastError ? h(Text, tone('bad'), printable(w.lastError)) : '',
      ),
    ),
    hidden.length ? h(Text, tone('dim'), `… ${hidden.length} more writers: ${hiddenStates.map(([state, n]) => `${n} ${state}`).join(', ')}`) : null,
  );
}

/** The freeze timer: the one thing a person must see while applications are stopped. */
export function FreezeTimer(props: { freeze: FreezeSummary; nowMs: number }) {
  const tone = useTone();
  const elapsed = Math.max(0, props.nowMs - Date.parse(props.freeze.startedAt));
  const over = elapsed / props.freeze.budgetMs;
  return h(
    Box,
    { borderStyle: 'single', ...border(tone(over >= 0.75 ? 'bad' : 'warn')), paddingX: 1 },
    h(
      Line,
      null,
      h(Text, { bold: true, ...tone(over >= 0.75 ? 'bad' : 'warn') }, `frozen ${formatDuration(elapsed)} of ${formatDuration(props.freeze.budgetMs)}`),
      `  ${bar(Math.min(1, over), 20)}  `,
      h(Text, tone('dim'), props.freeze.writers.join(', ')),
    ),
  );
}

/** Three lines a target: where, how far (bar, bytes, files), how fast (rate, ETA, skipped). */
export function TargetProgress(props: { target: TargetSummary }) {
  const tone = useTone();
  const t = props.target;
  const total = copyTotals(t);
  const fraction = total.bytes ? t.bytesDone / total.bytes : t.state === 'copying' ? 0 : 1;
  const amount = formatCopyAmount(t.bytesDone, t.filesDone, total);
  const pace: string[] = [];
  if (t.bytesPerSecond !== undefined) pace.push(formatRate(t.bytesPerSecond));
  if (t.state === 'copying' && t.scannedFiles !== undefined && !total.about) pace.push(formatCounting(t.scannedFiles, t.scannedBytes ?? 0));
  if (t.state === 'copying' && t.etaMs !== undefined) pace.push(`ETA ${total.about}${formatDuration(t.etaMs)}`);
  if (t.skipped) pace.push(`${t.skipped} skipped`);
  return h(
    Box,
    { flexDirection: 'column' },
    h(Line, null, h(Text, { bold: true }, `${t.kind} `), t.target, '  ', h(Text, tone(t.state === 'copying' ? 'busy' : t.state === 'succeeded' ? 'good' : t.state === 'partial' ? 'warn' : 'bad'), t.state)),
    h(Line, null, `  ${bar(fraction, 20)} ${(amount.percent ?? '').padStart(4)}  ${amount.bytes}  ${amount.files}`),
    pace.length ? h(Line, null, `  ${pace.join('  ')}`) : null,
    t.error ? h(Line, null, h(Text, tone('bad'), `  ${printable(t.error)}`)) : null,
  );
}

export function HookTail(props: { lines: HookLine[] }) {
  const tone = useTone();
  if (props.lines.length === 0) return null;
  return h(
    Box,
    { flexDirection: 'column' },
    ...props.lines.map((l) => h(Line, { key: l.key }, h(Text, tone(l.stream === 'stderr' ? 'warn' : 'dim'), `${l.stage}| `), printable(l.line))),
  );
}

export function RunOutcome(props: { run: RunSummary }) {
  const tone = useTone();
  const { run } = props;
  const bytes = run.jobs.reduce((sum, j) => sum + (j.bytes ?? 0), 0);
  const files = run.jobs.reduce((sum, j) => sum + (j.files ?? 0), 0);
  const skipped = run.jobs.reduce((sum, j) => sum + (j.skipped ?? 0), 0);
  const state = run.state === 'running' ? 'running' : run.state;
  return h(
    Box,
    { flexDirection: 'column', borderStyle: 'round', paddingX: 1, ...border(tone(STATUS_TONE[state])) },
    h(
      Line,
      null,
      h(Text, { bold: true, ...tone(STATUS_TONE[state]) }, `run ${state}`),
      `  exit ${run.exitCode ?? '?'}  in ${formatDuration(run.durationMs ?? 0)}  ${formatBytes(bytes)}  ${files} files  ${skipped} skipped`,
    ),
    ...run.jobs
      .filter((j) => j.error)
      .map((j) => h(Line, { key: j.name }, h(Text, tone('bad'), `${j.name}: ${j.failedStage ? `failed in ${j.failedStage}: ` : ''}${printable(j.error!)}`))),
    ...run.warnings.slice(-2).map((w, i) => h(Line, { key: `w${i}` }, h(Text, tone('warn'), `warning: ${printable(w.message)}`))),
    run.reportPath ? h(Line, null, `report: ${run.reportPath}`) : null,
  );
}

/** Box props for a border in the colour of a tone (none under NO_COLOR). */
function border(colour: { color?: string }): { borderColor?: string } {
  return colour.color ? { borderColor: colour.color } : {};
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}
