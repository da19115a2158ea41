// What a run did, folded from its events: the one model behind the live TUI, the JSON and
// HTML reports and the Prometheus textfile. It reads nothing but events, so a run replayed
// from NDJSON gives the same summary as the run itself.

import { STAGES, type RunStatus, type SkipReason, type SnapshotInfo, type Stage, type StageStatus, type StillpointEvent, type WriterFreeze, type WriterState } from '../events/types.ts';
import { Throughput } from './throughput.ts';
import { copyTotals } from './format.ts';

export type StageState = 'pending' | 'running' | StageStatus;

export interface StageSummary {
  stage: Stage;
  state: StageState;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
}

export interface ProviderDecision {
  provider: string;
  volumes: string[];
  outcome: 'chosen' | 'skipped' | 'failed';
  setId?: string;
  /** Why it was skipped, or how it failed. */
  reason?: string;
  nextProvider?: string;
  at: string;
}

export interface SnapshotSetSummary {
  setId: string;
  provider: string;
  volumes: string[];
  state: 'creating' | 'created' | 'failed' | 'released' | 'release-failed';
  snapshots: SnapshotInfo[];
  createdAt?: string;
  durationMs?: number;
  error?: string;
}

export interface WriterSummary {
  name: string;
  kind: string;
  state: WriterState;
  step?: string;
  lastError?: string;
}

export interface FreezeSummary {
  setId: string;
  startedAt: string;
  budgetMs: number;
  writers: string[];
  endedAt?: string;
  windowMs?: number;
  frozen?: WriterFreeze[];
  timedOut?: boolean;
}

export interface TargetSummary {
  target: string;
  kind: string;
  state: 'copying' | 'succeeded' | 'partial' | 'failed';
  startedAt: string;
  finishedAt?: string;
  bytesDone: number;
  filesDone: number;
  totalBytes?: number;
  totalFiles?: number;
  /** Until the totals are known: what the scan that counts them has counted so far. */
  scannedBytes?: number;
  scannedFiles?: number;
  /** Until the totals are known, after an earlier snapshot: an estimate of them. */
  estimatedBytes?: number;
  estimatedFiles?: number;
  bytesPerSecond?: number;
  etaMs?: number;
  skipped: number;
  snapshotId?: string;
  location?: string;
  error?: string;
  details?: Record<string, string | number>;
  pruned?: { removed: string[]; kept: string[] };
}

export interface HookSummary {
  hookId: string;
  stage: string;
  action: string;
  origin: string;
  setId?: string;
  startedAt: string;
  status?: 'succeeded' | 'failed' | 'allowed-failure' | 'timed-out' | 'stalled';
  exitCode?: number | null;
  signal?: string;
  durationMs?: number;
  error?: string;
  /** The last lines of its output (a report is not a log). */
  output: Array<{ stream: 'stdout' | 'stderr'; line: string }>;
  outputLines: number;
}

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail: string;
  at: string;
}

export interface JobSummary {
  name: string;
  state: 'running' | RunStatus;
  startedAt: string;
  finishedAt?: string;
  volumes: string[];
  providersTried: string[];
  exitCode?: number;
  durationMs?: number;
  error?: string;
  failedStage?: Stage;
  bytes?: number;
  files?: number;
  skipped?: number;
  stages: StageSummary[];
  providers: ProviderDecision[];
  snapshotSets: SnapshotSetSummary[];
  writers: WriterSummary[];
  freezes: FreezeSummary[];
  targets: TargetSummary[];
  hooks: HookSummary[];
  skippedFiles: SkippedFile[];
  /** What a dry run would have done, in order. */
  dryRunSteps: Array<{ stage: Stage; action: string; setId?: string }>;
  quiesce?: { idleMs: number; withinMs: number; quietForMs: number };
}

export interface RunSummary {
  runId?: string;
  script?: string;
  hostname?: string;
  platform?: string;
  dryRun?: boolean;
  jobNames: string[];
  state: 'running' | RunStatus;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  durationMs?: number;
  reportPath?: string;
  /** Stages reported outside any job (`plan`, before the jobs start). */
  stages: StageSummary[];
  jobs: JobSummary[];
  warnings: Array<{ job?: string; message: string; detail?: string; at: string }>;
  /** The last event's time: "now" for a replayed or remote run. */
  lastEventAt?: string;
}

/** How many output lines of each hook the summary keeps. */
const HOOK_OUTPUT_KEPT = 50;

/** Folds events into a RunSummary, one at a time (the TUI) or all at once (the report). */
export class RunSummaryBuilder {
  readonly summary: RunSummary = { jobNames: [], state: 'running', stages: [], jobs: [], warnings: [] };
  readonly #throughputs = new Map<TargetSummary, Throughput>();
  readonly #hookOwners = new Map<string, HookSummary>();

  apply(event: StillpointEvent): void {
    const run = this.summary;
    run.lastEventAt = event.time;
    run.runId ??= event.runId;
    run.startedAt ??= event.time;
    switch (event.type) {
      case 'run.started':
        Object.assign(run, { script: event.script, hostname: event.hostname, platform: event.platform, dryRun: event.dryRun, jobNames: [...event.jobs], startedAt: event.time });
        return;
      case 'run.finished':
        Object.assign(run, { state: event.status, exitCode: event.exitCode, durationMs: event.durationMs, finishedAt: event.time });
        if (event.reportPath !== undefined) run.reportPath = event.reportPath;
        return;
      case 'warning':
        run.warnings.push({ ...(event.job !== undefined ? { job: event.job } : {}), message: event.message, ...(event.detail !== undefined ? { detail: event.detail } : {}), at: event.time });
        return;
      case 'stage.started':
      case 'stage.finished': {
        const job = event.job !== undefined ? this.#job(event.job, event.time) : undefined;
        const stages = job ? job.stages : run.stages;
        let stage = stages.find((s) => s.stage === event.stage);
        if (!stage) {
          stage = { stage: event.stage, state: 'pending' };
          stages.push(stage);
          stages.sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
        }
        if (event.type === 'stage.started') Object.assign(stage, { state: 'running', startedAt: event.time });
        else {
          Object.assign(stage, { state: event.status, durationMs: event.durationMs, finishedAt: event.time });
          stage.startedAt ??= new Date(Date.parse(event.time) - event.durationMs).toISOString();
          if (event.error !== undefined) stage.error = event.error;
        }
        return;
      }
    }
    if (event.job === undefined) return;
    const job = this.#job(event.job, event.time);
    switch (event.type) {
      case 'job.started':
        job.volumes = [...event.volumes];
        job.providersTried = [...event.providers];
        for (const writer of event.writers) if (!job.writers.some((w) => w.name === writer.name)) job.writers.push({ name: writer.name, kind: writer.kind, state: 'stable' });
        return;
      case 'job.finished':
        Object.assign(job, { state: event.status, exitCode: event.exitCode, durationMs: event.durationMs, finishedAt: event.time, bytes: event.bytes, files: event.files, skipped: event.skipped });
        if (event.error !== undefined) job.error = event.error;
        if (event.failedStage !== undefined) job.failedStage = event.failedStage;
        for (const stage of job.stages) if (stage.state === 'running') stage.state = 'failed';
        return;
      case 'provider.skipped':
        job.providers.push({ provider: event.provider, volumes: event.volumes, outcome: 'skipped', reason: event.reason, at: event.time });
        return;
      case 'provider.chosen':
        job.providers.push({ provider: event.provider, volumes: event.volumes, outcome: 'chosen', setId: event.setId, at: event.time });
        job.snapshotSets.push({ setId: event.setId, provider: event.provider, volumes: event.volumes, state: 'creating', snapshots: [] });
        return;
      case 'provider.failed': {
        job.providers.push({ provider: event.provider, volumes: event.volumes, outcome: 'failed', setId: event.setId, reason: event.error, ...(event.nextProvider !== undefined ? { nextProvider: event.nextProvider } : {}), at: event.time });
        const set = this.#set(job, event.setId, event.provider, event.volumes);
        Object.assign(set, { state: 'failed', error: event.error });
        return;
      }
      case 'snapshot-set.created': {
        const set = this.#set(job, event.setId, event.provider, event.snapshots.map((s) => s.volume));
        Object.assign(set, { state: 'created', snapshots: event.snapshots, createdAt: event.time, durationMs: event.durationMs });
        return;
      }
      case 'snapshot-set.released': {
        const set = this.#set(job, event.setId, event.provider, []);
        set.state = event.error === undefined ? 'released' : 'release-failed';
        if (event.error !== undefined) set.error = event.error;
        return;
      }
      case 'freeze.started':
        job.freezes.push({ setId: event.setId, startedAt: event.time, budgetMs: event.budgetMs, writers: event.writers });
        return;
      case 'freeze.ended': {
        const freeze = job.freezes.findLast((f) => f.setId === event.setId && f.endedAt === undefined);
        const ended = { endedAt: event.time, windowMs: event.windowMs, frozen: event.writers, timedOut: event.timedOut };
        if (freeze) Object.assign(freeze, ended);
        else job.freezes.push({ setId: event.setId, startedAt: new Date(Date.parse(event.time) - event.windowMs).toISOString(), budgetMs: event.windowMs, writers: event.writers.map((w) => w.writer), ...ended });
        return;
      }
      case 'writer.state': {
        let writer = job.writers.find((w) => w.name === event.writer);
        if (!writer) {
          writer = { name: event.writer, kind: event.kind, state: event.state };
          job.writers.push(writer);
        }
        Object.assign(writer, { state: event.state, step: event.step });
        if (event.error !== undefined) writer.lastError = event.error;
        return;
      }
      case 'quiesce.waiting':
        job.quiesce = { idleMs: event.idleMs, withinMs: event.withinMs, quietForMs: event.quietForMs };
        return;
      case 'hook.started': {
        const hook: HookSummary = { hookId: event.hookId, stage: event.stage, action: event.action, origin: event.origin, startedAt: event.time, output: [], outputLines: 0 };
        if (event.setId !== undefined) hook.setId = event.setId;
        job.hooks.push(hook);
        this.#hookOwners.set(event.hookId, hook);
        return;
      }
      case 'hook.output': {
        const hook = this.#hookOwners.get(event.hookId);
        if (!hook) return;
        hook.output.push({ stream: event.stream, line: event.line });
        hook.outputLines += 1;
        if (hook.output.length > HOOK_OUTPUT_KEPT) hook.output.shift();
        return;
      }
      case 'hook.finished': {
        const hook = this.#hookOwners.get(event.hookId);
        if (!hook) return;
        Object.assign(hook, { status: event.status, exitCode: event.exitCode, durationMs: event.durationMs });
        if (event.signal !== undefined) hook.signal = event.signal;
        if (event.error !== undefined) hook.error = event.error;
        return;
      }
      case 'copy.started': {
        const target: TargetSummary = { target: event.target, kind: event.kind, state: 'copying', startedAt: event.time, bytesDone: 0, filesDone: 0, skipped: 0 };
        if (event.totalBytes !== undefined) target.totalBytes = event.totalBytes;
        if (event.totalFiles !== undefined) target.totalFiles = event.totalFiles;
        job.targets.push(target);
        const throughput = new Throughput();
        throughput.add({ timeMs: Date.parse(event.time), bytesDone: 0 });
        this.#throughputs.set(target, throughput);
        return;
      }
      case 'copy.progress': {
        const target = this.#target(job, event.target, 'target', event.time);
        Object.assign(target, { bytesDone: event.bytesDone, filesDone: event.filesDone });
        if (event.totalBytes !== undefined) target.totalBytes = event.totalBytes;
        if (event.totalFiles !== undefined) target.totalFiles = event.totalFiles;
        // The counts so far and the estimate hold only until the next progress that lacks them.
        for (const [bytes, files] of [['scannedBytes', 'scannedFiles'], ['estimatedBytes', 'estimatedFiles']] as const) {
          if (event[bytes] !== undefined && event[files] !== undefined) Object.assign(target, { [bytes]: event[bytes], [files]: event[files] });
          else {
            delete target[bytes];
            delete target[files];
          }
        }
        const throughput = this.#throughputs.get(target)!;
        throughput.add({ timeMs: Date.parse(event.time), bytesDone: event.bytesDone });
        const rate = throughput.bytesPerSecond();
        const eta = throughput.etaMs(copyTotals(target).bytes);
        if (rate !== undefined) target.bytesPerSecond = rate;
        if (eta !== undefined) target.etaMs = eta;
        else delete target.etaMs;
        return;
      }
      case 'copy.finished': {
        const target = this.#target(job, event.target, event.kind, event.time);
        Object.assign(target, { kind: event.kind, state: event.status, finishedAt: event.time, bytesDone: event.bytes, filesDone: event.files, skipped: event.skipped });
        for (const key of ['snapshotId', 'location', 'error', 'details'] as const) if (event[key] !== undefined) Object.assign(target, { [key]: event[key] });
        const seconds = (Date.parse(event.time) - Date.parse(target.startedAt)) / 1000;
        if (seconds > 0) target.bytesPerSecond = event.bytes / seconds;
        delete target.etaMs;
        return;
      }
      case 'file.skipped':
        job.skippedFiles.push({ path: event.path, reason: event.reason, detail: event.detail, at: event.time });
        return;
      case 'dry-run.step':
        job.dryRunSteps.push({ stage: event.stage, action: event.action, ...(event.setId !== undefined ? { setId: event.setId } : {}) });
        return;
      case 'retention.pruned': {
        const target = job.targets.findLast((t) => t.target === event.target);
        if (target) target.pruned = { removed: event.removed, kept: event.kept };
        return;
      }
    }
  }

  #job(name: string, time: string): JobSummary {
    let job = this.summary.jobs.find((j) => j.name === name);
    if (!job) {
      job = {
        name,
        state: 'running',
        startedAt: time,
        volumes: [],
        providersTried: [],
        stages: [],
        providers: [],
        snapshotSets: [],
        writers: [],
        freezes: [],
        targets: [],
        hooks: [],
        skippedFiles: [],
        dryRunSteps: [],
      };
      this.summary.jobs.push(job);
      if (!this.summary.jobNames.includes(name)) this.summary.jobNames.push(name);
    }
    return job;
  }

  #set(job: JobSummary, setId: string, provider: string, volumes: string[]): SnapshotSetSummary {
    let set = job.snapshotSets.find((s) => s.setId === setId);
    if (!set) {
      set = { setId, provider, volumes, state: 'creating', snapshots: [] };
      job.snapshotSets.push(set);
    }
    return set;
  }

  #target(job: JobSummary, name: string, kind: string, time: string): TargetSummary {
    let target = job.targets.findLast((t) => t.target === name);
    if (!target) {
      target = { target: name, kind, state: 'copying', startedAt: time, bytesDone: 0, filesDone: 0, skipped: 0 };
      job.targets.push(target);
    }
    if (!this.#throughputs.has(target)) this.#throughputs.set(target, new Throughput());
    return target;
  }
}

export function summarizeRun(events: Iterable<StillpointEvent>): RunSummary {
  const builder = new RunSummaryBuilder();
  for (const event of events) builder.apply(event);
  return builder.summary;
}
