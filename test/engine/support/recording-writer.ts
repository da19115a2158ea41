// A real Writer for engine tests: it takes part in every protocol step and records each call
// (with its time) in a log shared with the other parts of the test, so that the order of
// writer steps, hooks and provider calls can be asserted. It can be told to veto, fail or
// hang in a step, which is how real writers misbehave.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WriterVeto, type BackupStamp, type Writer, type WriterContext, type WriterMetadata } from '../../../src/writers/writer.ts';

export type Step = 'identify' | 'prepare-backup' | 'prepare-snapshot' | 'freeze' | 'thaw' | 'post-snapshot' | 'backup-complete' | 'close';

export interface LogEntry {
  who: string;
  what: string;
  at: number;
}

export class CallLog {
  readonly entries: LogEntry[] = [];

  add(who: string, what: string): void {
    this.entries.push({ who, what, at: performance.now() });
  }

  /** "who:what" in call order, for assertions. */
  lines(): string[] {
    return this.entries.map((e) => `${e.who}:${e.what}`);
  }
}

export interface Misbehaviour {
  veto?: Step;
  hang?: Step;
  /** Veto only on the Nth call of that step (1-based); every call when absent. */
  onCall?: number;
}

export class RecordingWriter implements Writer {
  readonly name: string;
  readonly kind = 'command';
  readonly log: CallLog;
  readonly misbehaviour: Misbehaviour;
  readonly previousStamps: Array<BackupStamp | undefined> = [];
  readonly completedStamps: Array<BackupStamp | undefined> = [];
  readonly envs: Array<Record<string, string>> = [];
  readonly #calls = new Map<Step, number>();

  /** What it leaves in its artifact folder at post-snapshot (as the postgres writer leaves a backup label). */
  readonly artifact: string | undefined;

  constructor(name: string, log: CallLog, misbehaviour: Misbehaviour = {}, artifact?: string) {
    this.name = name;
    this.log = log;
    this.misbehaviour = misbehaviour;
    this.artifact = artifact;
  }

  async identify(context: WriterContext): Promise<WriterMetadata> {
    await this.#step('identify', context);
    return { name: this.name, kind: this.kind, subject: 'a test application' };
  }

  async prepareBackup(context: WriterContext, previous: BackupStamp | undefined): Promise<void> {
    this.previousStamps.push(previous);
    await this.#step('prepare-backup', context);
  }

  prepareSnapshot(context: WriterContext): Promise<void> {
    return this.#step('prepare-snapshot', context);
  }

  /** The freeze budget each freeze call was given. */
  readonly freezeBudgets: Array<number | undefined> = [];

  freeze(context: WriterContext): Promise<void> {
    this.freezeBudgets.push(context.freezeBudgetMs);
    return this.#step('freeze', context);
  }

  thaw(context: WriterContext): Promise<void> {
    return this.#step('thaw', context);
  }

  async postSnapshot(context: WriterContext): Promise<void> {
    await this.#step('post-snapshot', context);
    if (this.artifact !== undefined) {
      await mkdir(join(context.artifactDir, this.name), { recursive: true });
      await writeFile(join(context.artifactDir, this.name, 'label'), this.artifact);
    }
  }

  async backupComplete(context: WriterContext, stamp: BackupStamp | undefined): Promise<void> {
    this.completedStamps.push(stamp);
    await this.#step('backup-complete', context);
  }

  async close(): Promise<void> {
    this.log.add(this.name, 'close');
  }

  async #step(step: Step, context: WriterContext): Promise<void> {
    const call = (this.#calls.get(step) ?? 0) + 1;
    this.#calls.set(step, call);
    this.envs.push(context.env);
    this.log.add(this.name, step);
    const now = this.misbehaviour.onCall === undefined || this.misbehaviour.onCall === call;
    if (this.misbehaviour.hang === step && now) {
      // Hangs like a stuck application: it only ends when the engine gives up on it.
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      this.log.add(this.name, `${step}-abandoned`);
      return;
    }
    if (this.misbehaviour.veto === step && now) throw new WriterVeto(this.name, step, `${this.name} refuses to ${step}`);
  }
}
