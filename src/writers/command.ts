// The `command { prepare freeze thaw post-snapshot backup-complete }` writer: each step is a
// command run with the hook environment (LANGUAGE.md §7). A non-zero exit in prepare or freeze
// is a veto (the application said "not now"); in the other steps it is a failure. `prepare`
// runs as prepare-backup (once per run, as the language catalog documents it).

import type { CommandPlan, WriterPlan } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import { formatMs } from '../base/deadline.ts';
import { describeCommand, runProcess } from '../base/process.ts';
import { WriterVeto, type BackupStamp, type Writer, type WriterContext, type WriterMetadata } from './writer.ts';

type CommandWriterPlan = Extract<WriterPlan, { kind: 'command' }>;

/** How much of a failing step's output goes into its error message. */
const OUTPUT_TAIL_LINES = 5;

export class CommandWriter implements Writer {
  readonly name: string;
  readonly kind = 'command';
  readonly #plan: CommandWriterPlan;
  readonly #secrets: SecretStore;

  constructor(plan: CommandWriterPlan, secrets: SecretStore) {
    this.name = plan.name;
    this.#plan = plan;
    this.#secrets = secrets;
  }

  async identify(_context: WriterContext): Promise<WriterMetadata> {
    const steps = (['prepare', 'freeze', 'thaw', 'postSnapshot', 'backupComplete'] as const).filter((s) => this.#plan[s]);
    const subject = steps.map((s) => `${s}: ${describeCommand(this.#plan[s]!)}`).join('; ');
    return { name: this.name, kind: this.kind, subject: subject || '(no steps)' };
  }

  prepareBackup(context: WriterContext, _previous: BackupStamp | undefined): Promise<void> {
    return this.#step('prepare', this.#plan.prepare, context, true);
  }

  async prepareSnapshot(_context: WriterContext): Promise<void> {}

  freeze(context: WriterContext): Promise<void> {
    return this.#step('freeze', this.#plan.freeze, context, true);
  }

  thaw(context: WriterContext): Promise<void> {
    return this.#step('thaw', this.#plan.thaw, context, false);
  }

  postSnapshot(context: WriterContext): Promise<void> {
    return this.#step('post-snapshot', this.#plan.postSnapshot, context, false);
  }

  backupComplete(context: WriterContext, _stamp: BackupStamp | undefined): Promise<void> {
    return this.#step('backup-complete', this.#plan.backupComplete, context, false);
  }

  async close(): Promise<void> {}

  async #step(step: string, command: CommandPlan | undefined, context: WriterContext, vetoes: boolean): Promise<void> {
    if (!command) return;
    const tail: string[] = [];
    const result = await runProcess({
      command,
      env: context.env,
      secrets: this.#secrets,
      timeoutMs: this.#plan.timeoutMs,
      stall: { timeoutMs: this.#plan.stallTimeoutMs },
      signal: context.signal,
      onLine: (_stream, line) => {
        tail.push(line);
        if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      },
    });
    if (result.exitCode === 0) return;
    const how = result.timedOut
      ? `timed out after ${this.#plan.timeoutMs} ms`
      : result.stalled
        ? `made no progress for ${formatMs(this.#plan.stallTimeoutMs)} (stall-timeout: no output, no data read or written) and was stopped`
        : result.aborted
        ? 'was cancelled'
        : result.exitCode === null
          ? `was killed by ${result.signal}`
          : `exited with code ${result.exitCode}`;
    const output = tail.length > 0 ? `: ${tail.join(' | ')}` : '';
    const message = `${step} command (${describeCommand(command)}) ${how}${output}`;
    if (vetoes && result.exitCode !== null) throw new WriterVeto(this.name, step, message);
    throw new Error(message);
  }
}
