// The lifecycle of one run (LANGUAGE.md §5) as an explicit state machine. A job walks the
// stages of STAGES in order; STAGE_RUNS says, for each stage, in which condition of the job it
// runs (every stage while all went well; `release` and `after-backup` always; `retention`
// only after success); a stage that does not run is reported as skipped. Everything the job
// acquires (its lock, writers, snapshot sets) is held by a scope that releases it, so a
// failure or a cancel anywhere still thaws, releases and closes.
//
// The engine never prints: everything it does is an event, emitted through the Emitter, which
// scrubs secrets.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsyncDisposableStack as PolyfilledStack } from '@whatwg-node/disposablestack';
import {
  STAGES,
  type EventSink,
  type StillpointEvent,
  type RunStatus,
  type SnapshotInfo,
  type Stage,
  type StageStatus,
} from '../events/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { HookStage, JobPlan, KeepPlan, Plan, VolumePlan } from '../plan/types.ts';
import type { VolumeInfo } from '../providers/provider.ts';
import { waitForQuiet } from '../providers/quiesce.ts';
import type { Target } from '../targets/target.ts';
import { WriterSession, type WriterStep } from '../writers/protocol.ts';
import type { BackupStamp } from '../writers/writer.ts';
import { EXIT } from '../base/exit-codes.ts';
import { notifyFinish, notifyStart, type MonitorContext, type RunSummary } from '../monitor/notify.ts';
import { elapsed, formatMs } from '../base/deadline.ts';
import { Emitter, type JobEmitter } from './emitter.ts';
import { messageOf } from '../base/errors.ts';
import { hookEnvironment } from './hook-env.ts';
import type { HookRunContext } from './hooks.ts';
import { createPwshSession, type PwshSession } from '../base/pwsh-session.ts';
import type { EngineParts } from './parts.ts';
import { SnapshotSets, chooseSnapshotSets, releaseLeftovers, type PlannedSet } from './snapshot-sets.ts';
import { snapshotStage } from './snapshot-stage.ts';
import { copyStage, retentionStage, targetLocation } from './copy-stage.ts';
import { StateStore } from './state.ts';

// Node 22 has no AsyncDisposableStack (Node 24 has): the polyfill loads only where it is missing,
// which spares a run on Node 24 some 18 M instructions (~8 ms) of its start.
const AsyncDisposableStack: typeof PolyfilledStack =
  (globalThis as { AsyncDisposableStack?: typeof PolyfilledStack }).AsyncDisposableStack ?? (await import('@whatwg-node/disposablestack')).AsyncDisposableStack;

export interface RunOptions {
  plan: Plan;
  secrets: SecretStore;
  sinks: EventSink[];
  parts: EngineParts;
  /** Aborted on SIGINT/SIGTERM: the run stops what it does and cleans up. */
  signal: AbortSignal;
  /** Walk the lifecycle and say what would happen; probe providers, touch nothing. */
  dryRun?: boolean;
  /** Only these jobs (already checked to exist); all when absent. */
  jobs?: string[];
  state?: StateStore;
  /** How long evaluating the plan took, for the `plan` stage. */
  planDurationMs?: number;
  /** Least time between two copy.progress events of one target. */
  progressIntervalMs?: number;
  /** Where the caller writes the run report, named in run.finished. */
  reportPath?: string;
}

export interface JobResult {
  job: string;
  status: RunStatus;
  exitCode: number;
  error?: string;
}

export interface RunResult {
  status: RunStatus;
  exitCode: number;
  jobs: JobResult[];
}

/** In which condition of the job each stage runs. */
const STAGE_RUNS: Record<Stage, 'while-ok' | 'always' | 'after-success'> = {
  plan: 'while-ok',
  'before-backup': 'while-ok',
  prepare: 'while-ok',
  quiesce: 'while-ok',
  snapshot: 'while-ok',
  copy: 'while-ok',
  'backup-complete': 'while-ok',
  release: 'always',
  retention: 'after-success',
  'after-backup': 'always',
};

const EXIT_OF: Record<RunStatus, number> = {
  succeeded: EXIT.succeeded,
  partial: EXIT.partial,
  failed: EXIT.failed,
  cancelled: EXIT.failed,
};

/** The worse of two outcomes decides a run of several jobs. */
const SEVERITY: Record<RunStatus, number> = { succeeded: 0, partial: 1, failed: 2, cancelled: 3 };

export async function runPlan(options: RunOptions): Promise<RunResult> {
  const { plan } = options;
  const emitter = new Emitter({ runId: plan.runId, sinks: options.sinks, secrets: options.secrets });
  const jobs = plan.jobs.filter((job) => options.jobs === undefined || options.jobs.includes(job.name));
  const started = performance.now();
  emitter.emit({
    type: 'run.started',
    script: plan.script,
    jobs: jobs.map((j) => j.name),
    dryRun: options.dryRun ?? false,
    platform: plan.platform,
    hostname: plan.hostname,
  });
  const state = options.state ?? new StateStore();
  const results: JobResult[] = [];
  for (const job of jobs) {
    if (options.signal.aborted) break;
    results.push(await new JobRun(job, options, state, emitter.forJob(job.name)).run());
  }
  const status = options.signal.aborted
    ? 'cancelled'
    : results.reduce<RunStatus>((worst, r) => (SEVERITY[r.status] > SEVERITY[worst] ? r.status : worst), 'succeeded');
  const exitCode = EXIT_OF[status];
  emitter.emit({
    type: 'run.finished',
    status,
    exitCode,
    durationMs: Math.round(performance.now() - started),
    ...(options.reportPath === undefined ? {} : { reportPath: options.reportPath }),
  });
  return { status, exitCode, jobs: results };
}

/** Which snapshot set (and so which volumes and paths) a hook call is about; absent: the job. */
interface HookScope {
  setId?: string;
  volumes?: VolumeInfo[];
  snapshots?: SnapshotInfo[];
  /** The cleanup stages pass a signal that a cancel does not abort. */
  signal?: AbortSignal;
}

/** A stage's work; returns 'skipped' when there was nothing to do. */
type StageWork = () => Promise<StageStatus>;

/**
 * One job's walk through the stages. Its plain members are what the stage modules
 * (snapshot-stage.ts, copy-stage.ts) read and change; the # members are the walk's own.
 */
export class JobRun {
  readonly job: JobPlan;
  readonly options: RunOptions;
  readonly #state: StateStore;
  readonly emit: JobEmitter;
  /** Everything this job emitted: the monitors' textfile is made from it. */
  readonly #events: StillpointEvent[] = [];
  readonly dryRun: boolean;
  /** Hooks, thaw and release after a cancel must still run: they get a signal nobody aborts. */
  readonly #cleanupSignal = new AbortController().signal;

  status: RunStatus = 'succeeded';
  #error: string | undefined;
  #failedStage: Stage | undefined;
  volumes: VolumeInfo[] = [];
  planned: PlannedSet[] = [];
  targets: Array<{ target: Target; keep?: KeepPlan }> = [];
  writers: WriterSession | undefined;
  sets: SnapshotSets;
  #setCount = 0;
  /** What an incremental or differential backup builds on: given to writers and providers. */
  previousStamp: BackupStamp | undefined;
  totals = { bytes: 0, files: 0, skipped: 0 };
  /** One PowerShell session for every `pwsh { }` block of the job's run (variables carry over). */
  #pwsh: PwshSession | undefined;

  /** Waits until the job's PowerShell session (if it has one) has started. */
  async pwshReady(): Promise<void> {
    await this.#pwsh?.ready();
  }

  constructor(job: JobPlan, options: RunOptions, state: StateStore, emit: JobEmitter) {
    this.job = job;
    this.options = options;
    this.#state = state;
    this.emit = (body) => {
      const event = emit(body);
      this.#events.push(event);
      return event;
    };
    this.dryRun = options.dryRun ?? false;
    this.sets = new SnapshotSets({
      state: this.dryRun ? undefined : state,
      emit: this.emit,
      runId: options.plan.runId,
      job: job.name,
    });
  }

  async run(): Promise<JobResult> {
    const job = this.job;
    const started = performance.now();
    const startedAt = new Date();
    this.emit({
      type: 'job.started',
      volumes: job.volumes.map((v) => v.path),
      providers: job.providers.map((p) => p.name),
      writers: job.writers.map((w) => ({ name: w.name, kind: w.kind })),
      targets: job.targets.map((t) => ({ kind: t.kind, location: targetLocation(t) })),
    });
    // A dry run touches nothing, monitors included.
    if (!this.dryRun) await notifyStart(job.monitors, job.name, this.options.plan.runId, this.#monitorContext());
    try {
      // The lock comes first: while another run of this job is going, nothing of ours runs,
      // not even its after-backup hooks.
      await using scope = new AsyncDisposableStack();
      if (!this.dryRun) scope.use(await this.#state.lockJob(job.name, this.options.plan.runId));
      scope.use(this.sets);
      scope.defer(() => this.writers?.close());
      if (job.hooks.some((h) => h.actions.some((a) => a.kind === 'pwsh'))) {
        this.#pwsh = createPwshSession();
        scope.defer(() => this.#pwsh?.close());
      }
      await this.#walk();
    } catch (error) {
      this.#fail('plan', error);
    }
    const exitCode = EXIT_OF[this.status];
    const durationMs = Math.round(performance.now() - started);
    const finished = this.emit({
      type: 'job.finished',
      status: this.status,
      exitCode,
      durationMs,
      ...(this.#error === undefined ? {} : { error: this.#error }),
      ...(this.#failedStage === undefined ? {} : { failedStage: this.#failedStage }),
      ...this.totals,
    });
    // After job.finished, so that the textfile sees the job's outcome; the secrets are already
    // scrubbed from the error text the summary carries.
    if (!this.dryRun) {
      const summary: RunSummary = {
        job: job.name,
        runId: this.options.plan.runId,
        hostname: this.options.plan.hostname,
        status: this.status,
        exitCode,
        started: startedAt.toISOString(),
        finished: finished.time,
        durationMs,
        ...this.totals,
        ...(finished.type === 'job.finished' && finished.error !== undefined ? { error: finished.error } : {}),
      };
      await notifyFinish(job.monitors, summary, this.#events, this.#monitorContext());
    }
    return { job: job.name, status: this.status, exitCode, ...(this.#error === undefined ? {} : { error: this.#error }) };
  }

  /** The state machine: every stage in order, run or skipped by STAGE_RUNS. */
  async #walk(): Promise<void> {
    const work: Record<Stage, StageWork> = {
      plan: async () => 'succeeded',
      'before-backup': () => this.#beforeBackup(),
      prepare: () => this.#prepare(),
      quiesce: () => this.#quiesce(),
      snapshot: () => snapshotStage(this),
      copy: () => copyStage(this),
      'backup-complete': () => this.#backupComplete(),
      release: () => this.#release(),
      retention: () => retentionStage(this),
      'after-backup': () => this.#afterBackup(),
    };
    for (const stage of STAGES) {
      // A cancel between two stages stops the work here; cleanup stages still run.
      if (STAGE_RUNS[stage] !== 'always' && this.options.signal.aborted) this.#fail(stage, this.options.signal.reason);
      if (!this.#runs(stage)) {
        this.emit({ type: 'stage.finished', stage, status: 'skipped', durationMs: 0 });
        continue;
      }
      this.emit({ type: 'stage.started', stage });
      const started = performance.now();
      try {
        const status = await work[stage]();
        const durationMs = stage === 'plan' ? Math.round(this.options.planDurationMs ?? 0) : elapsed(started);
        this.emit({ type: 'stage.finished', stage, status, durationMs });
      } catch (error) {
        this.#fail(stage, error);
        this.emit({ type: 'stage.finished', stage, status: 'failed', durationMs: elapsed(started), error: this.errorText(error) });
      }
    }
  }

  #runs(stage: Stage): boolean {
    switch (STAGE_RUNS[stage]) {
      case 'always':
        return true;
      case 'while-ok':
        return this.status === 'succeeded' || this.status === 'partial';
      case 'after-success':
        return this.status === 'succeeded';
    }
  }

  #fail(stage: Stage, error: unknown): void {
    if (this.status === 'failed' || this.status === 'cancelled') return;
    this.status = this.options.signal.aborted ? 'cancelled' : 'failed';
    this.#error = this.errorText(error);
    this.#failedStage = stage;
  }

  errorText(error: unknown): string {
    if (this.options.signal.aborted) return messageOf(this.options.signal.reason);
    return messageOf(error);
  }

  /** A monitor that fails is a warning: the backup's outcome stays what it was. */
  #monitorContext(): MonitorContext {
    return { secrets: this.options.secrets, warn: (message, detail) => this.warn(message, detail) };
  }

  warn(message: string, detail?: string): void {
    this.emit({ type: 'warning', message, ...(detail === undefined ? {} : { detail }) });
  }

  /** Says what a dry run would do at this point. */
  would(stage: Stage, action: string, setId?: string): void {
    this.emit({ type: 'dry-run.step', stage, action, ...(setId === undefined ? {} : { setId }) });
  }

  // ---- stage 2 and 10: hooks -------------------------------------------------------------

  async hooks(
    stage: HookStage,
    extra: HookScope = {},
  ): Promise<StageStatus> {
    const hooks = this.job.hooks.filter((h) => h.stage === stage);
    if (hooks.length === 0) return 'skipped';
    if (this.dryRun) {
      for (const hook of hooks) this.would(hookStageOf(stage), `run ${stage} hook at ${hook.origin} (${hook.actions.map((a) => a.kind).join(', ')})`, extra.setId);
      return 'skipped';
    }
    await this.options.parts.runHooks(hooks, this.hookContext(stage, extra));
    return 'succeeded';
  }

  hookContext(
    stage: HookStage,
    extra: HookScope,
  ): HookRunContext {
    const volumes = this.volumeNamesAndIds(extra.volumes);
    const done = stage === 'after-backup' || stage === 'on-error';
    return {
      runId: this.options.plan.runId,
      job: this.job.name,
      stage,
      ...volumes,
      ...(extra.snapshots ? { snapshotPaths: extra.snapshots.map((s) => s.snapshotPath) } : {}),
      ...(extra.setId === undefined ? {} : { setId: extra.setId }),
      ...(done ? { status: this.status } : {}),
      ...(done && this.#error !== undefined ? { error: this.#error } : {}),
      hookEnv: this.job.hookEnv,
      secrets: this.options.secrets,
      signal: extra.signal ?? this.options.signal,
      emit: this.emit,
      ...(this.#pwsh ? { pwsh: this.#pwsh } : {}),
    };
  }

  /** The set's volumes, or the job's (resolved where they are, as written where not yet). */
  volumeNamesAndIds(volumes?: VolumeInfo[]): { volumes: string[]; volumeIds: string[] } {
    if (volumes) return { volumes: volumes.map((v) => v.name), volumeIds: volumes.map((v) => v.volumeId ?? '') };
    return {
      volumes: this.job.volumes.map((v) => v.path),
      volumeIds: this.job.volumes.map((v) => this.volumes.find((r) => r.name === v.path)?.volumeId ?? ''),
    };
  }

  /**
   * before-backup hooks may mount a volume, so volumes are resolved for good only in prepare;
   * what resolves already gives the hooks its filesystem id (STILLPOINT_VOLUME_IDS).
   */
  async #beforeBackup(): Promise<StageStatus> {
    if (!this.dryRun && this.job.hooks.some((h) => h.stage === 'before-backup')) {
      const resolved = await Promise.all(this.job.volumes.map((v) => this.options.parts.resolveVolume(v.path).catch(() => undefined)));
      this.volumes = resolved.filter((v) => v !== undefined);
    }
    return this.hooks('before-backup');
  }

  // ---- stage 3: prepare -----------------------------------------------------------------

  async #prepare(): Promise<StageStatus> {
    const { parts } = this.options;
    const job = this.job;
    this.volumes = await Promise.all(job.volumes.map((v) => this.#resolveVolume(v)));
    this.planned = await chooseSnapshotSets(this.volumes, {
      providers: job.providers,
      load: parts.loadProvider,
      emit: this.emit,
      nextSetId: () => this.nextSetId(),
    });
    if (this.dryRun) {
      for (const target of job.targets) this.would('prepare', `open ${target.kind} target ${targetLocation(target)}`);
      for (const writer of job.writers) this.would('prepare', `writer ${writer.name} (${writer.kind}): identify, prepare-backup`);
      return 'succeeded';
    }
    for (const plan of job.targets) {
      const target = await parts.createTarget(plan, this.options.secrets);
      this.targets.push({ target, ...('keep' in plan && plan.keep ? { keep: plan.keep } : {}) });
    }
    // One folder per job, emptied at each run (the job's lock keeps runs apart): what writers
    // leave there is copied with the volumes, under the same name every time.
    const artifactDir = this.artifactDir();
    await rm(artifactDir, { recursive: true, force: true });
    if (job.writers.length > 0) await mkdir(artifactDir, { recursive: true, mode: 0o700 });
    this.writers = new WriterSession({
      runId: this.options.plan.runId,
      job: job.name,
      artifactDir,
      signal: this.options.signal,
      emit: this.emit,
      env: (step, setId) => this.#writerEnv(step, setId),
    });
    // Each writer joins the session as soon as it exists, so it is closed whatever fails next.
    for (const plan of job.writers) this.writers.add(await parts.createWriter(plan, this.options.secrets), plan);
    await this.writers.identify();
    const stamps = await this.#state.stamps(job.name);
    this.previousStamp = job.backupType === 'incremental' ? stamps.lastBackup : job.backupType === 'differential' ? stamps.lastFull : undefined;
    await this.writers.prepareBackup(this.previousStamp);
    return 'succeeded';
  }

  artifactDir(): string {
    return join(this.#state.dir, 'artifacts', encodeURIComponent(this.job.name));
  }

  async #resolveVolume(volume: VolumePlan): Promise<VolumeInfo> {
    try {
      return await this.options.parts.resolveVolume(volume.path);
    } catch (error) {
      // Where the script declares it, compiler style; the volume's name once.
      const message = messageOf(error);
      throw new Error(`${volume.origin}: ${message.includes(volume.path) ? message : `volume "${volume.path}": ${message}`}`);
    }
  }

  nextSetId(): string {
    this.#setCount += 1;
    return `set-${this.#setCount}`;
  }

  /** Writer steps get the hook environment of the stage they belong to (LANGUAGE.md §7). */
  #writerEnv(step: WriterStep, setId: string | undefined): Record<string, string> {
    const stage: HookStage =
      step === 'identify' || step === 'prepare-backup'
        ? 'before-backup'
        : step === 'prepare-snapshot' || step === 'freeze'
          ? 'before-snapshot'
          : step === 'backup-complete'
            ? 'after-backup'
            : 'after-snapshot';
    const set = this.sets.held.find((h) => h.planned.setId === setId)?.set;
    const planned = this.planned.find((p) => p.setId === setId);
    return hookEnvironment({
      runId: this.options.plan.runId,
      job: this.job.name,
      stage,
      ...this.volumeNamesAndIds(planned?.volumes),
      ...(set && stage === 'after-snapshot' ? { snapshotPaths: set.snapshots.map((s) => s.snapshotPath) } : {}),
      ...(stage === 'after-backup' ? { status: this.status } : {}),
      hookEnv: this.job.hookEnv,
    });
  }

  // ---- stage 4: quiesce -----------------------------------------------------------------

  async #quiesce(): Promise<StageStatus> {
    const plan = this.job.quiesce;
    if (!plan) return 'skipped';
    if (this.dryRun) {
      this.would('quiesce', `wait until the volumes saw no writes for ${formatMs(plan.idleMs)}, at most ${formatMs(plan.withinMs)}`);
      return 'skipped';
    }
    const measured = this.volumes.filter((v) => v.device?.startsWith('/dev/'));
    const unmeasured = this.volumes.filter((v) => !measured.includes(v)).map((v) => v.name);
    if (unmeasured.length > 0) {
      this.warn(`quiesce cannot measure writes to ${unmeasured.join(', ')} (no block device); it waits for the other volumes only`);
    }
    if (measured.length === 0) return 'skipped';
    const result = await waitForQuiet(
      measured.map((v) => v.device!),
      plan.idleMs,
      plan.withinMs,
      this.options.signal,
      (quietForMs) => this.emit({ type: 'quiesce.waiting', idleMs: plan.idleMs, withinMs: plan.withinMs, quietForMs }),
    );
    if (!result.quiet) {
      const message = `the volumes were not quiet for ${formatMs(plan.idleMs)} within ${formatMs(plan.withinMs)}`;
      if (plan.onTimeout === 'fail') throw new Error(`${message} (quiesce on-timeout fail)`);
      this.warn(`${message}; going on (quiesce on-timeout proceed)`);
    }
    return 'succeeded';
  }

  // ---- stage 7: backup-complete ---------------------------------------------------------

  async #backupComplete(): Promise<StageStatus> {
    if (this.dryRun) {
      this.would('backup-complete', this.job.backupType === 'copy' ? 'writers backup-complete (backup-type copy: no stamp recorded)' : 'writers backup-complete; record the backup stamp');
      return 'skipped';
    }
    const type = this.job.backupType;
    const stamp: BackupStamp | undefined =
      type === 'copy' ? undefined : { stamp: `${this.options.plan.started}/${this.options.plan.runId}`, backupType: type, time: new Date().toISOString() };
    // The provider's own writers (VSS) learn whether the copy was whole; a set released
    // without this call counts as a backup that did not complete.
    const succeeded = this.status === 'succeeded';
    for (const { set } of this.sets.held) await set.backupComplete?.(succeeded);
    await this.writers!.backupComplete(stamp);
    if (stamp) await this.#state.recordStamp(this.job.name, stamp);
    return 'succeeded';
  }

  // ---- stage 8: release -----------------------------------------------------------------

  async #release(): Promise<StageStatus> {
    if (this.dryRun) return 'skipped';
    const failed = await this.sets.releaseAll();
    await this.writers?.close();
    await releaseLeftovers(this.job.name, this.#state, this.options.parts.loadProvider, this.emit);
    if (failed.length > 0) {
      throw new Error(`snapshot set ${failed.join(', ')} could not be released; run \`stillpoint cleanup\` to try again`);
    }
    return 'succeeded';
  }

  // ---- stage 10: after-backup and on-error ----------------------------------------------

  async #afterBackup(): Promise<StageStatus> {
    const signal = this.#cleanupSignal;
    const after = await this.hooks('after-backup', { signal });
    const failed = this.status === 'failed' || this.status === 'cancelled';
    const onError = failed ? await this.hooks('on-error', { signal }) : 'skipped';
    return after === 'skipped' && onError === 'skipped' ? 'skipped' : 'succeeded';
  }
}

/** During-freeze hooks are part of the snapshot stage; after-backup and on-error of after-backup. */
function hookStageOf(stage: HookStage): Stage {
  switch (stage) {
    case 'before-backup':
      return 'before-backup';
    case 'before-snapshot':
    case 'during-freeze':
    case 'after-snapshot':
      return 'snapshot';
    case 'after-backup':
    case 'on-error':
      return 'after-backup';
  }
}
