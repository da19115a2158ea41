// The writer protocol driver (LANGUAGE.md §4.2, §5). It walks every writer of a job through
// the VSS-like steps in order, each step under the writer's own timeout, and keeps the rules
// that make a snapshot application-consistent and safe:
// - a veto or failure of a required writer fails the step (so the snapshot set fails); one of
//   an optional writer is reported and that writer takes no further part in the run;
// - `freeze-timeout` bounds the whole frozen window: when it elapses every writer is thawed at
//   once and the set fails;
// - thaw is attempted for every writer whose freeze was called, whatever failed.

import type { StillpointEventBody, WriterState } from '../events/types.ts';
import type { WriterPlan } from '../plan/types.ts';
import { DeadlineExceeded, formatMs, withDeadline } from '../base/deadline.ts';
import { messageOf } from '../base/errors.ts';
import type { BackupStamp, Writer, WriterContext, WriterMetadata } from './writer.ts';

export type WriterStep =
  | 'identify'
  | 'prepare-backup'
  | 'prepare-snapshot'
  | 'freeze'
  | 'thaw'
  | 'post-snapshot'
  | 'backup-complete';

/** The state a writer is in once a step succeeded. */
const STATE_AFTER: Record<WriterStep, WriterState> = {
  identify: 'stable',
  'prepare-backup': 'stable',
  'prepare-snapshot': 'preparing',
  freeze: 'frozen',
  thaw: 'thawed',
  'post-snapshot': 'stable',
  'backup-complete': 'stable',
};

export interface WriterSessionOptions {
  runId: string;
  job: string;
  artifactDir: string;
  /** Aborted when the run is cancelled. Thaw does not watch it: a cancelled run still thaws. */
  signal: AbortSignal;
  emit: (body: StillpointEventBody) => void;
  /** The hook environment (LANGUAGE.md §7) for a writer step. */
  env: (step: WriterStep, setId?: string) => Record<string, string>;
}

/** A required writer vetoed or failed: the snapshot set (or the job) fails. */
export class WriterFailed extends Error {
  readonly writer: string;
  readonly step: WriterStep;

  constructor(writer: string, step: WriterStep, cause: unknown) {
    super(`writer "${writer}" failed in ${step}: ${messageOf(cause)}`, { cause });
    this.name = 'WriterFailed';
    this.writer = writer;
    this.step = step;
  }
}

interface Participant {
  writer: Writer;
  plan: WriterPlan;
  /** false once an optional writer failed: it takes no further part. */
  active: boolean;
}

export class WriterSession implements AsyncDisposable {
  readonly #participants: Participant[] = [];
  readonly #options: WriterSessionOptions;
  #closed = false;

  constructor(options: WriterSessionOptions) {
    this.#options = options;
  }

  /** Writers take part in the order they are added (the script's order). */
  add(writer: Writer, plan: WriterPlan): void {
    this.#participants.push({ writer, plan, active: true });
  }

  get names(): string[] {
    return this.#active().map((p) => p.writer.name);
  }

  async identify(): Promise<WriterMetadata[]> {
    const metadata: WriterMetadata[] = [];
    await this.#each('identify', undefined, async (w, c) => void metadata.push(await w.identify(c)));
    return metadata;
  }

  prepareBackup(previous: BackupStamp | undefined): Promise<void> {
    return this.#each('prepare-backup', undefined, (w, c) => w.prepareBackup(c, previous));
  }

  prepareSnapshot(setId: string): Promise<void> {
    return this.#each('prepare-snapshot', setId, (w, c) => w.prepareSnapshot(c));
  }

  postSnapshot(setId: string): Promise<void> {
    return this.#each('post-snapshot', setId, (w, c) => w.postSnapshot(c));
  }

  backupComplete(stamp: BackupStamp | undefined): Promise<void> {
    return this.#each('backup-complete', undefined, (w, c) => w.backupComplete(c, stamp));
  }

  /**
   * Freezes every writer, runs `body` (the snapshot) while they are frozen, and thaws them,
   * all within `budgetMs`. When the budget elapses the writers are thawed at once and this
   * throws; whatever `body` still yields afterwards goes to `late`. freeze.ended carries how
   * long each writer stayed frozen and the whole window.
   */
  async frozen<T>(
    setId: string,
    budgetMs: number,
    body: (signal: AbortSignal) => Promise<T>,
    late: (value: T) => void,
  ): Promise<T> {
    const emit = this.#options.emit;
    const window = new AbortController();
    const timer = setTimeout(
      () => window.abort(new DeadlineExceeded(`the freeze window of ${setId} exceeded freeze-timeout ${formatMs(budgetMs)}; writers were thawed`)),
      budgetMs,
    );
    const windowSignal = AbortSignal.any([window.signal, this.#options.signal]);
    const frozen: Array<{ participant: Participant; since: number; frozenMs: number }> = [];
    emit({ type: 'freeze.started', setId, budgetMs, writers: this.names });
    const started = performance.now();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      for (const participant of this.#active()) {
        const since = performance.now();
        frozen.push({ participant, since, frozenMs: 0 });
        // What is left of the window, so that a writer's own watchdog thaws no later than it.
        const freezeBudgetMs = Math.max(0, Math.round(budgetMs - (since - started)));
        await this.#step(participant, 'freeze', { setId, signal: windowSignal, freezeBudgetMs }, (w, c) => w.freeze(c));
      }
      outcome = { ok: true, value: await withDeadline(body, { what: `snapshot of ${setId}`, timeoutMs: budgetMs, signal: windowSignal, late }) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    clearTimeout(timer);
    const thawErrors: unknown[] = [];
    for (const entry of [...frozen].reverse()) {
      try {
        // No signal: a cancelled run or a closed window must still thaw.
        await this.#step(entry.participant, 'thaw', { setId, evenIfInactive: true }, (w, c) => w.thaw(c));
      } catch (error) {
        thawErrors.push(error);
      }
      entry.frozenMs = Math.round(performance.now() - entry.since);
    }
    emit({
      type: 'freeze.ended',
      setId,
      windowMs: Math.round(performance.now() - started),
      writers: frozen.map((e) => ({ writer: e.participant.writer.name, frozenMs: e.frozenMs })),
      timedOut: window.signal.aborted,
    });
    if (!outcome.ok) throw outcome.error;
    if (thawErrors.length > 0) throw thawErrors[0];
    return outcome.value;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Releases every writer's connections, once; never throws, reports instead. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { writer } of this.#participants) {
      try {
        await writer.close();
      } catch (error) {
        this.#options.emit({ type: 'warning', message: `writer "${writer.name}" did not close cleanly`, detail: messageOf(error) });
      }
    }
  }

  #active(): Participant[] {
    return this.#participants.filter((p) => p.active);
  }

  async #each(
    step: WriterStep,
    setId: string | undefined,
    call: (writer: Writer, context: WriterContext) => Promise<void>,
  ): Promise<void> {
    for (const participant of this.#active()) {
      await this.#step(participant, step, { setId, signal: this.#options.signal }, call);
    }
  }

  async #step(
    participant: Participant,
    step: WriterStep,
    options: { setId?: string; signal?: AbortSignal; evenIfInactive?: boolean; freezeBudgetMs?: number },
    call: (writer: Writer, context: WriterContext) => Promise<void>,
  ): Promise<void> {
    const { writer, plan } = participant;
    const { setId, signal } = options;
    if (!participant.active && !options.evenIfInactive) return;
    const emit = this.#options.emit;
    try {
      await withDeadline(
        (stepSignal) =>
          call(writer, {
            runId: this.#options.runId,
            job: this.#options.job,
            signal: stepSignal,
            env: this.#options.env(step, setId),
            artifactDir: this.#options.artifactDir,
            ...(options.freezeBudgetMs === undefined ? {} : { freezeBudgetMs: options.freezeBudgetMs }),
          }),
        { what: `writer "${writer.name}" ${step}`, timeoutMs: plan.timeoutMs, signal },
      );
      emit({ type: 'writer.state', writer: writer.name, kind: writer.kind, state: STATE_AFTER[step], step });
    } catch (error) {
      emit({ type: 'writer.state', writer: writer.name, kind: writer.kind, state: 'failed', step, error: messageOf(error) });
      if (signal?.aborted && !(signal.reason instanceof DeadlineExceeded)) throw signal.reason;
      if (plan.required) throw new WriterFailed(writer.name, step, error);
      participant.active = false;
      emit({
        type: 'warning',
        message: `optional writer "${writer.name}" failed in ${step}; the backup goes on without it`,
        detail: messageOf(error),
      });
    }
  }
}
