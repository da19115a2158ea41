// The live screen of a run. Finished stages go into <Static> (printed once, scrolled away);
// the live area below holds only what is still moving, so a frame redraws a dozen lines.

import { Box, Static, Text, useInput } from 'ink';
import { createElement as h, useEffect, useState, useSyncExternalStore } from 'react';
import { formatDuration, printable } from '../report/format.ts';
import type { JobSummary, RunSummary } from '../report/run-summary.ts';
import { FreezeTimer, HookTail, RunOutcome, SnapshotSets, StageLine, STATUS_TONE, TargetProgress, WritersTable } from './parts.ts';
import type { PrintedLine, RunStore } from './store.ts';
import { NoColor, useTone } from './theme.ts';

export interface AppProps {
  store: RunStore;
  onCancel: () => void;
  /** Keys are read only from a terminal: raw mode on piped stdin throws. */
  interactive: boolean;
  noColor: boolean;
  /** The clock for running durations and the freeze timer. */
  now?: () => number;
  /** How often running timers advance without a new event. */
  tickMs?: number;
}

export function App(props: AppProps) {
  return h(NoColor.Provider, { value: props.noColor }, h(Screen, props));
}

function Screen(props: AppProps) {
  const { store } = props;
  useSyncExternalStore(store.subscribe, () => store.version);
  const run = store.summary;
  const running = run.state === 'running';
  const nowMs = useClock(props.now ?? Date.now, props.tickMs ?? 100, running);
  const multiJob = run.jobNames.length > 1;

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) {
        store.markCancelling();
        props.onCancel();
      }
    },
    { isActive: props.interactive },
  );

  return h(
    Box,
    { flexDirection: 'column' },
    h(Static<PrintedLine>, { items: [...store.printed], children: (item) => h(Printed, { key: item.key, item, nowMs, multiJob }) }),
    running ? h(LiveArea, { run, job: currentJob(run), nowMs, store, interactive: props.interactive }) : h(Outcome, { run, job: currentJob(run) }),
  );
}

function LiveArea(props: { run: RunSummary; job: JobSummary | undefined; nowMs: number; store: RunStore; interactive: boolean }) {
  const tone = useTone();
  const { run, job, nowMs, store } = props;
  const stages = [...run.stages, ...(job?.stages ?? [])].filter((s) => s.state === 'running');
  const openFreezes = job?.freezes.filter((f) => f.endedAt === undefined) ?? [];
  const quiet = job?.quiesce && stages.some((s) => s.stage === 'quiesce') ? job.quiesce : undefined;
  const warning = run.warnings.at(-1);
  return h(
    Box,
    { flexDirection: 'column' },
    ...stages.map((stage) => h(StageLine, { key: `live/${stage.stage}`, stage, nowMs, ...(run.jobNames.length > 1 && job ? { job: job.name } : {}) })),
    quiet ? h(Text, { key: 'quiet', ...tone('dim') }, `  quiet for ${formatDuration(quiet.quietForMs)} of ${formatDuration(quiet.idleMs)} needed, waiting at most ${formatDuration(quiet.withinMs)}`) : null,
    ...openFreezes.map((freeze) => h(FreezeTimer, { key: `freeze/${freeze.setId}`, freeze, nowMs })),
    job ? h(SnapshotSets, { key: 'sets', job }) : null,
    job ? h(WritersTable, { key: 'writers', job }) : null,
    ...(job?.targets ?? []).map((target, i) => h(TargetProgress, { key: `target/${i}`, target })),
    h(HookTail, { key: 'hooks', lines: store.hookTail }),
    warning ? h(Text, { key: 'warning', wrap: 'truncate-end', ...tone('warn') }, `warning: ${printable(warning.message)}`) : null,
    store.cancelling
      ? h(Text, { key: 'cancel', bold: true, ...tone('warn') }, 'cancelling: thawing and releasing…')
      : props.interactive
        ? h(Text, { key: 'keys', ...tone('dim') }, 'q cancel')
        : null,
  );
}

/** One line above the live area: the run's title, a finished stage, a dry-run step, a job's outcome. */
function Printed(props: { item: PrintedLine; nowMs: number; multiJob: boolean }) {
  const tone = useTone();
  const { item } = props;
  switch (item.kind) {
    case 'title':
      return h(Text, { bold: true, wrap: 'truncate-end' }, printable(item.text));
    case 'dry-run':
      return h(Text, { wrap: 'truncate-end', ...tone('dim') }, printable(item.text));
    case 'job':
      return h(Text, { bold: true, wrap: 'truncate-end', ...tone(STATUS_TONE[item.status]) }, printable(item.text));
    case 'stage':
      return h(StageLine, { stage: item.stage, nowMs: props.nowMs, ...(props.multiJob && item.job ? { job: item.job } : {}) });
  }
}

/** What stays on the screen after the run: where it ended, and the summary. */
function Outcome(props: { run: RunSummary; job: JobSummary | undefined }) {
  const { job } = props;
  return h(
    Box,
    { flexDirection: 'column' },
    job ? h(SnapshotSets, { job }) : null,
    job ? h(WritersTable, { job }) : null,
    ...(job?.targets ?? []).map((target, i) => h(TargetProgress, { key: `target/${i}`, target })),
    h(RunOutcome, { run: props.run }),
  );
}

function currentJob(run: RunSummary): JobSummary | undefined {
  return run.jobs.findLast((j) => j.state === 'running') ?? run.jobs.at(-1);
}

function useClock(now: () => number, tickMs: number, ticking: boolean): number {
  const [time, setTime] = useState(now);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setTime(now()), tickMs);
    return () => clearInterval(timer);
  }, [now, tickMs, ticking]);
  // A new event re-renders too: read the clock then as well, not only on ticks.
  const current = now();
  return current > time ? current : time;
}
