// The writer protocol (LANGUAGE.md §4.2, §5): the steps VSS writers go through, for any
// application. The engine drives the steps in order, each under the writer's timeout, and
// calls thaw() for every writer whose freeze() was called, whatever failed.

export interface BackupStamp {
  /** Opaque to the engine; ISO time and run id by default. */
  stamp: string;
  backupType: 'full' | 'incremental' | 'differential';
  time: string;
}

export interface WriterContext {
  runId: string;
  job: string;
  /** Aborted when the step's timeout elapses or the run is cancelled. */
  signal: AbortSignal;
  /** The hook environment of LANGUAGE.md §7 for this step. */
  env: Record<string, string>;
  /** Where a writer may leave files that travel with the backup (a backup label, say). */
  artifactDir: string;
  /**
   * For freeze: the frozen window's budget (`freeze-timeout`), so that a writer's watchdog
   * thaws no later than the window would. Absent: the writer's step timeout is used.
   */
  freezeBudgetMs?: number;
}

export interface WriterMetadata {
  name: string;
  kind: string;
  /** What the writer will quiesce, for `stillpoint writers`. */
  subject: string;
}

/** A writer step that refuses: the set fails (required writer) or is reported (optional). */
export class WriterVeto extends Error {
  readonly writer: string;
  readonly step: string;

  constructor(writer: string, step: string, message: string) {
    super(message);
    this.name = 'WriterVeto';
    this.writer = writer;
    this.step = step;
  }
}

export interface Writer {
  readonly name: string;
  readonly kind: string;
  identify(context: WriterContext): Promise<WriterMetadata>;
  prepareBackup(context: WriterContext, previous: BackupStamp | undefined): Promise<void>;
  prepareSnapshot(context: WriterContext): Promise<void>;
  freeze(context: WriterContext): Promise<void>;
  thaw(context: WriterContext): Promise<void>;
  postSnapshot(context: WriterContext): Promise<void>;
  backupComplete(context: WriterContext, stamp: BackupStamp | undefined): Promise<void>;
  /** Releases connections and handles; called once at the end, also after a failure. */
  close(): Promise<void>;
}
